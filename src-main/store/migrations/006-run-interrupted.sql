-- Runs are stored as 'running' when their first reservation is made; a crash leaves them 'interrupted' at start-up.
-- SQLite cannot alter a CHECK constraint, so the table is rebuilt with the new status allowed.
CREATE TABLE runs_next (
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
INSERT INTO runs_next SELECT id, task, status, model_id, request_json, output_text, output_json, decision_json,
  attempts_json, fallbacks, input_tokens, output_tokens, cost_micros, latency_ms, cache_hit, cache_key, error_code,
  error_message, rating, created_at, finished_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_next RENAME TO runs;
CREATE INDEX runs_created ON runs (created_at);
CREATE INDEX runs_cache ON runs (cache_key) WHERE cache_key IS NOT NULL;
