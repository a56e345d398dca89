-- Who chose each call's model: 'quire' (its routing: automatic selection, a tier, the budget's step-down, a fallback,
-- a pack's stand-in, a tournament's seating or judge) or 'writer' (a model the writer picked in the Workbench, their
-- pack's mapping with automatic selection off, an app naming a model through the gateway, a tournament's members they
-- named). "What routing was worth" compares only Quire's picks. Rows written before this are NULL: who chose them is
-- not known, so they are kept out of that comparison and counted apart as "not counted" (never guessed either way).
ALTER TABLE ledger ADD COLUMN chosen_by TEXT CHECK (chosen_by IN ('quire', 'writer'));

-- A month's calls by task and chooser, kept by triggers as ledger_rollup is (008, 013, 015): what the comparison reads,
-- in O(groups). chosen_by 'unknown' holds the rows with none. A call is counted as 013 counts one (a hold given back
-- unused, with no duration, was never a call); counted_micros as the budget counts a row.
CREATE TABLE ledger_choice_rollup (
  month TEXT NOT NULL,
  task TEXT NOT NULL,
  chosen_by TEXT NOT NULL CHECK (chosen_by IN ('quire', 'writer', 'unknown')),
  counted_micros INTEGER NOT NULL DEFAULT 0,
  calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, task, chosen_by)
) STRICT, WITHOUT ROWID;

INSERT INTO ledger_choice_rollup (month, task, chosen_by, counted_micros, calls, input_tokens, output_tokens)
SELECT month, task, 'unknown',
       SUM(CASE state WHEN 'settled' THEN COALESCE(charged_micros, 0) WHEN 'released' THEN 0 ELSE reserved_micros END),
       SUM(state <> 'released' OR duration_ms IS NOT NULL),
       COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)
  FROM ledger GROUP BY month, task;

CREATE TRIGGER ledger_choice_insert AFTER INSERT ON ledger
BEGIN
  INSERT INTO ledger_choice_rollup (month, task, chosen_by, counted_micros, calls, input_tokens, output_tokens)
  VALUES (NEW.month, NEW.task, COALESCE(NEW.chosen_by, 'unknown'),
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE NEW.reserved_micros END,
          (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL),
          COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0))
  ON CONFLICT (month, task, chosen_by) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

-- An update takes the old row's part out and puts the new row's in, whatever changed.
CREATE TRIGGER ledger_choice_update AFTER UPDATE ON ledger
BEGIN
  UPDATE ledger_choice_rollup SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND task = OLD.task AND chosen_by = COALESCE(OLD.chosen_by, 'unknown');
  INSERT INTO ledger_choice_rollup (month, task, chosen_by, counted_micros, calls, input_tokens, output_tokens)
  VALUES (NEW.month, NEW.task, COALESCE(NEW.chosen_by, 'unknown'),
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE NEW.reserved_micros END,
          (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL),
          COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0))
  ON CONFLICT (month, task, chosen_by) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

CREATE TRIGGER ledger_choice_delete AFTER DELETE ON ledger
BEGIN
  UPDATE ledger_choice_rollup SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND task = OLD.task AND chosen_by = COALESCE(OLD.chosen_by, 'unknown');
END;
