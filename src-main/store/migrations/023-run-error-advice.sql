-- What a failed run's error said besides its words: whether trying again may help, that its message ends with its own
-- step (no general one is added after it), and where that step is taken (a refused key: Settings). A run reopened
-- from the history shows the error as it was first shown, its Open Settings button included. Null for runs stored
-- before (their errors read as before: not retryable, no step of their own).
ALTER TABLE runs ADD COLUMN error_retryable INTEGER;
ALTER TABLE runs ADD COLUMN error_advised INTEGER;
ALTER TABLE runs ADD COLUMN error_fix_in TEXT;
