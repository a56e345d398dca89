-- Execution: API keys (ciphertext only), custom endpoints, the spend ledger and runs.

CREATE TABLE api_keys (
  name TEXT PRIMARY KEY,
  ciphertext BLOB NOT NULL,
  backend TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- Custom endpoints (builtin = 0) and base-URL overrides of built-in providers (builtin = 1, id = the provider).
-- Their keys live in api_keys / the key file under "endpoint:<id>", never here.
CREATE TABLE provider_endpoints (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('openai-compatible', 'anthropic')),
  base_url TEXT NOT NULL,
  builtin INTEGER NOT NULL CHECK (builtin IN (0, 1)),
  models_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- One row per call. A reservation counts at reserved_micros until settled to charged_micros; 'released' counts 0
-- (the provider billed nothing); 'orphaned' is a reservation a crash left behind: it still counts.
CREATE TABLE ledger (
  id INTEGER PRIMARY KEY,
  run_id TEXT,
  month TEXT NOT NULL,
  day TEXT NOT NULL,
  model_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  task TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('reserved', 'settled', 'released', 'orphaned')),
  reserved_micros INTEGER NOT NULL CHECK (reserved_micros >= 0),
  charged_micros INTEGER CHECK (charged_micros >= 0),
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_input_tokens INTEGER,
  cache_write_tokens INTEGER,
  reasoning_tokens INTEGER,
  duration_ms INTEGER,
  note TEXT,
  created_at TEXT NOT NULL,
  settled_at TEXT
) STRICT;
-- Covering: the budget check and the month totals run on every call and read only the index.
CREATE INDEX ledger_month ON ledger (month, state, reserved_micros, charged_micros);
CREATE INDEX ledger_run ON ledger (run_id);

CREATE TABLE spend_alerts (
  month TEXT NOT NULL,
  threshold INTEGER NOT NULL,
  sent_at TEXT NOT NULL,
  PRIMARY KEY (month, threshold)
) STRICT;

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  task TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
  model_id TEXT,
  request_json TEXT NOT NULL,
  output_text TEXT,
  output_json TEXT,
  decision_json TEXT,
  attempts_json TEXT NOT NULL,
  fallbacks INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cost_micros INTEGER NOT NULL DEFAULT 0,
  latency_ms INTEGER,
  cache_hit INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
  cache_key TEXT,
  error_code TEXT,
  error_message TEXT,
  rating INTEGER,
  created_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;
CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_cache ON runs (cache_key) WHERE cache_key IS NOT NULL;
