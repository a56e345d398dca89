-- The gateway (issue 13): its settings (one row), the apps' access tokens, and which app each gateway run was made
-- for. A token is stored only as its SHA-256: it is shown once and never needed again.

CREATE TABLE gateway_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  origins_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE gateway_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  token_sha256 TEXT NOT NULL UNIQUE,
  monthly_cap_micros INTEGER CHECK (monthly_cap_micros >= 0),
  local_only INTEGER NOT NULL CHECK (local_only IN (0, 1)),
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
) STRICT;

-- Written before the run starts, so a charge is attributed to its app even when the process dies mid-call. The
-- client's name is copied: spend stays under the name the app had when it spent, after a revoke too.
CREATE TABLE gateway_runs (
  run_id TEXT PRIMARY KEY,
  token_id TEXT NOT NULL REFERENCES gateway_tokens (id),
  client TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX gateway_runs_token ON gateway_runs (token_id);
