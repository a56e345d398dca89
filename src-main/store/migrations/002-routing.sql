-- Routing: models a writer adds (custom endpoints, imported GGUFs) merged over the shipped registry, custom model
-- packs, and feedback (ratings, tournament outcomes) that moves each (model, task) quality estimate.
CREATE TABLE custom_models (
  id TEXT PRIMARY KEY NOT NULL,
  -- endpoint:<id> or local:<library id>: who added it, so it can be removed with its source.
  source TEXT NOT NULL,
  spec TEXT NOT NULL CHECK (json_valid(spec)),
  position INTEGER NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX custom_models_source ON custom_models (source);

CREATE TABLE custom_packs (
  name TEXT PRIMARY KEY NOT NULL,
  display_name TEXT NOT NULL,
  description TEXT NOT NULL,
  tasks TEXT NOT NULL CHECK (json_valid(tasks)),
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  model_id TEXT NOT NULL,
  task TEXT NOT NULL,
  score REAL NOT NULL CHECK (score >= 0 AND score <= 10),
  source TEXT NOT NULL CHECK (source IN ('rating', 'tournament', 'agreement')),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX feedback_model_task ON feedback (model_id, task);
