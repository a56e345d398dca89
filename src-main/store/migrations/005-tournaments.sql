-- Tournaments: several members answer one task; their matched findings, the writer's verdicts on them, and each
-- model's running agreement record (which feeds the confidence of later tournaments).

CREATE TABLE tournaments (
  id TEXT PRIMARY KEY,
  task TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('tournament', 'verification')),
  kind TEXT NOT NULL CHECK (kind IN ('findings', 'prose')),
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  input_text TEXT NOT NULL,
  -- Members, verification, judging, notes and the result confidence (shapes in contract/tournaments.ts).
  detail_json TEXT NOT NULL,
  confidence REAL,
  reserved_micros INTEGER NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
  cost_micros INTEGER NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  wall_ms INTEGER,
  error_code TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;
CREATE INDEX tournaments_created ON tournaments (created_at);

CREATE TABLE tournament_findings (
  tournament_id TEXT NOT NULL REFERENCES tournaments (id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  position INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('consensus', 'disputed', 'contradicted')),
  claim TEXT NOT NULL,
  evidence_quote TEXT NOT NULL,
  location TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  quote_found INTEGER NOT NULL CHECK (quote_found IN (0, 1)),
  supporters_json TEXT NOT NULL,
  opposers_json TEXT NOT NULL,
  silent_json TEXT NOT NULL,
  statements_json TEXT NOT NULL,
  confidence REAL NOT NULL,
  ingredients_json TEXT NOT NULL,
  resolution TEXT CHECK (resolution IN ('accepted', 'dismissed')),
  resolved_at TEXT,
  PRIMARY KEY (tournament_id, id)
) STRICT;

-- Per (model, task): how often the writer sided with the model on a resolved finding.
CREATE TABLE model_agreement (
  model_id TEXT NOT NULL,
  task TEXT NOT NULL,
  agreed INTEGER NOT NULL DEFAULT 0 CHECK (agreed >= 0),
  total INTEGER NOT NULL DEFAULT 0 CHECK (total >= agreed),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (model_id, task)
) STRICT;
