-- A run's structured answer (findings with located quotes, anchored edits, summaries, route), whether it stopped at
-- its length limit, and the task definition's version it was asked with.
ALTER TABLE runs ADD COLUMN answer_json TEXT;
ALTER TABLE runs ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1));
ALTER TABLE runs ADD COLUMN task_version INTEGER;
