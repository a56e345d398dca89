-- The stop sequence a completed run's answer ended at, where the model said which (Anthropic's stop_sequence, a local
-- model's stop trigger): an app asking through the gateway's Anthropic format is told it (stop_reason
-- "stop_sequence"), from the run and from an answer the run cache keeps. Null for every other end.
ALTER TABLE runs ADD COLUMN stop_sequence TEXT;
