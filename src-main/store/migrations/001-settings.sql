-- Settings: one row per section (orchestrator, tournament, local, runs), its value a JSON object validated in code.
CREATE TABLE settings (
  section TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at TEXT NOT NULL
) STRICT;
