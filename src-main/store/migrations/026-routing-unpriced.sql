-- "What routing was worth" prices a month's tokens on other models. A call whose usage was never reported (in flight,
-- left by a crash, or settled at its reservation because its stream was cut) has no tokens to price, only the hold it
-- is counted at: compared with the tokens of the others, it would make routing look dearer than it was. The rollup
-- now says how many such calls each group holds and what they count, so the comparison leaves them out, and says so.
ALTER TABLE ledger_choice_rollup ADD COLUMN unpriced_calls INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger_choice_rollup ADD COLUMN unpriced_micros INTEGER NOT NULL DEFAULT 0;

-- A row is unpriced when it counts as a call (013) and its usage is not known: open, orphaned, or settled without both
-- token counts. Its counted amount is what the budget counts for it (a settled row's charge, else its reservation).
UPDATE ledger_choice_rollup SET
  unpriced_calls = (
    SELECT COUNT(*) FROM ledger l
     WHERE l.month = ledger_choice_rollup.month AND l.task = ledger_choice_rollup.task
       AND COALESCE(l.chosen_by, 'unknown') = ledger_choice_rollup.chosen_by
       AND (l.state IN ('reserved', 'orphaned')
            OR (l.state = 'settled' AND (l.input_tokens IS NULL OR l.output_tokens IS NULL)))),
  unpriced_micros = (
    SELECT COALESCE(SUM(CASE l.state WHEN 'settled' THEN COALESCE(l.charged_micros, 0) ELSE l.reserved_micros END), 0)
      FROM ledger l
     WHERE l.month = ledger_choice_rollup.month AND l.task = ledger_choice_rollup.task
       AND COALESCE(l.chosen_by, 'unknown') = ledger_choice_rollup.chosen_by
       AND (l.state IN ('reserved', 'orphaned')
            OR (l.state = 'settled' AND (l.input_tokens IS NULL OR l.output_tokens IS NULL))));

-- Each trigger states its row's part inline (a subquery per row cost a third more per ledger write).
DROP TRIGGER ledger_choice_insert;
DROP TRIGGER ledger_choice_update;
DROP TRIGGER ledger_choice_delete;

CREATE TRIGGER ledger_choice_insert AFTER INSERT ON ledger
BEGIN
  INSERT INTO ledger_choice_rollup
    (month, task, chosen_by, counted_micros, calls, input_tokens, output_tokens, unpriced_calls, unpriced_micros)
  VALUES (NEW.month, NEW.task, COALESCE(NEW.chosen_by, 'unknown'),
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE NEW.reserved_micros END,
          (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL),
          COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0),
          (NEW.state IN ('reserved', 'orphaned')
           OR (NEW.state = 'settled' AND (NEW.input_tokens IS NULL OR NEW.output_tokens IS NULL))),
          CASE WHEN NEW.state IN ('reserved', 'orphaned') THEN NEW.reserved_micros
               WHEN NEW.state = 'settled' AND (NEW.input_tokens IS NULL OR NEW.output_tokens IS NULL)
                 THEN COALESCE(NEW.charged_micros, 0)
               ELSE 0 END)
  ON CONFLICT (month, task, chosen_by) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    unpriced_calls = unpriced_calls + excluded.unpriced_calls,
    unpriced_micros = unpriced_micros + excluded.unpriced_micros;
END;

-- An update takes the old row's part out and puts the new row's in, whatever changed.
CREATE TRIGGER ledger_choice_update AFTER UPDATE ON ledger
BEGIN
  UPDATE ledger_choice_rollup SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE OLD.reserved_micros END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0),
    unpriced_calls = unpriced_calls - (OLD.state IN ('reserved', 'orphaned')
           OR (OLD.state = 'settled' AND (OLD.input_tokens IS NULL OR OLD.output_tokens IS NULL))),
    unpriced_micros = unpriced_micros - CASE WHEN OLD.state IN ('reserved', 'orphaned') THEN OLD.reserved_micros
               WHEN OLD.state = 'settled' AND (OLD.input_tokens IS NULL OR OLD.output_tokens IS NULL)
                 THEN COALESCE(OLD.charged_micros, 0)
               ELSE 0 END
  WHERE month = OLD.month AND task = OLD.task AND chosen_by = COALESCE(OLD.chosen_by, 'unknown');
  INSERT INTO ledger_choice_rollup
    (month, task, chosen_by, counted_micros, calls, input_tokens, output_tokens, unpriced_calls, unpriced_micros)
  VALUES (NEW.month, NEW.task, COALESCE(NEW.chosen_by, 'unknown'),
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE NEW.reserved_micros END,
          (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL),
          COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0),
          (NEW.state IN ('reserved', 'orphaned')
           OR (NEW.state = 'settled' AND (NEW.input_tokens IS NULL OR NEW.output_tokens IS NULL))),
          CASE WHEN NEW.state IN ('reserved', 'orphaned') THEN NEW.reserved_micros
               WHEN NEW.state = 'settled' AND (NEW.input_tokens IS NULL OR NEW.output_tokens IS NULL)
                 THEN COALESCE(NEW.charged_micros, 0)
               ELSE 0 END)
  ON CONFLICT (month, task, chosen_by) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    unpriced_calls = unpriced_calls + excluded.unpriced_calls,
    unpriced_micros = unpriced_micros + excluded.unpriced_micros;
END;

CREATE TRIGGER ledger_choice_delete AFTER DELETE ON ledger
BEGIN
  UPDATE ledger_choice_rollup SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE OLD.reserved_micros END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0),
    unpriced_calls = unpriced_calls - (OLD.state IN ('reserved', 'orphaned')
           OR (OLD.state = 'settled' AND (OLD.input_tokens IS NULL OR OLD.output_tokens IS NULL))),
    unpriced_micros = unpriced_micros - CASE WHEN OLD.state IN ('reserved', 'orphaned') THEN OLD.reserved_micros
               WHEN OLD.state = 'settled' AND (OLD.input_tokens IS NULL OR OLD.output_tokens IS NULL)
                 THEN COALESCE(OLD.charged_micros, 0)
               ELSE 0 END
  WHERE month = OLD.month AND task = OLD.task AND chosen_by = COALESCE(OLD.chosen_by, 'unknown');
END;
