-- A "call" on the Spend screen and in an app's month is a request Quire made: settled, kept, still open, or released
-- after the provider answered with an error (a released row with its duration). A hold given back unused — a
-- tournament's repair that no answer needed, a call refused by a paused provider, one stopped before it was sent —
-- is released with no duration and was never a call; 008 and 011 counted every row. Their triggers are replaced with
-- ones that count calls so (money columns unchanged), and the counts already kept lose the holds that were not calls.

DROP TRIGGER ledger_totals_insert;
DROP TRIGGER ledger_totals_update;
DROP TRIGGER ledger_totals_delete;
DROP TRIGGER gateway_totals_insert;
DROP TRIGGER gateway_totals_update;
DROP TRIGGER gateway_totals_delete;
DROP TRIGGER gateway_totals_link;

-- One pass over the ledger: the unused holds, by the rollup's key and by app.
WITH unused AS (
  SELECT month, day, model_id, task, provider, COUNT(*) AS n FROM ledger
   WHERE state = 'released' AND duration_ms IS NULL GROUP BY month, day, model_id, task, provider
)
UPDATE ledger_rollup SET calls = ledger_rollup.calls - unused.n FROM unused
 WHERE ledger_rollup.month = unused.month AND ledger_rollup.day = unused.day
   AND ledger_rollup.model_id = unused.model_id AND ledger_rollup.task = unused.task
   AND ledger_rollup.provider = unused.provider;

WITH unused AS (
  SELECT g.token_id, l.month, COUNT(*) AS n FROM ledger l JOIN gateway_runs g ON g.run_id = l.run_id
   WHERE l.state = 'released' AND l.duration_ms IS NULL GROUP BY g.token_id, l.month
)
UPDATE gateway_month_totals SET calls = gateway_month_totals.calls - unused.n FROM unused
 WHERE gateway_month_totals.token_id = unused.token_id AND gateway_month_totals.month = unused.month;

CREATE TRIGGER ledger_totals_insert AFTER INSERT ON ledger
BEGIN
  INSERT INTO ledger_month_totals (month, settled_micros, reserved_micros, orphaned_micros, overrun_micros)
  VALUES (NEW.month,
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) ELSE 0 END,
          CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
          CASE NEW.state WHEN 'orphaned' THEN NEW.reserved_micros ELSE 0 END,
          NEW.overrun_micros)
  ON CONFLICT (month) DO UPDATE SET
    settled_micros = settled_micros + excluded.settled_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    orphaned_micros = orphaned_micros + excluded.orphaned_micros,
    overrun_micros = overrun_micros + excluded.overrun_micros;
  INSERT INTO ledger_rollup (month, day, model_id, task, provider, counted_micros, open_micros, calls, input_tokens,
                             output_tokens)
  VALUES (NEW.month, NEW.day, NEW.model_id, NEW.task, NEW.provider,
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE NEW.reserved_micros END,
          CASE WHEN NEW.state IN ('reserved', 'orphaned') THEN NEW.reserved_micros ELSE 0 END,
          (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL), COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0))
  ON CONFLICT (month, day, model_id, task, provider) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    open_micros = open_micros + excluded.open_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

-- An update takes the old row's part out and puts the new row's in, whatever changed.
CREATE TRIGGER ledger_totals_update AFTER UPDATE ON ledger
BEGIN
  UPDATE ledger_month_totals SET
    settled_micros = settled_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0) ELSE 0 END,
    reserved_micros = reserved_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
    orphaned_micros = orphaned_micros - CASE OLD.state WHEN 'orphaned' THEN OLD.reserved_micros ELSE 0 END,
    overrun_micros = overrun_micros - OLD.overrun_micros
  WHERE month = OLD.month;
  INSERT INTO ledger_month_totals (month, settled_micros, reserved_micros, orphaned_micros, overrun_micros)
  VALUES (NEW.month,
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) ELSE 0 END,
          CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
          CASE NEW.state WHEN 'orphaned' THEN NEW.reserved_micros ELSE 0 END,
          NEW.overrun_micros)
  ON CONFLICT (month) DO UPDATE SET
    settled_micros = settled_micros + excluded.settled_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    orphaned_micros = orphaned_micros + excluded.orphaned_micros,
    overrun_micros = overrun_micros + excluded.overrun_micros;
  UPDATE ledger_rollup SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    open_micros = open_micros - CASE WHEN OLD.state IN ('reserved', 'orphaned') THEN OLD.reserved_micros ELSE 0 END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND day = OLD.day AND model_id = OLD.model_id AND task = OLD.task
    AND provider = OLD.provider;
  INSERT INTO ledger_rollup (month, day, model_id, task, provider, counted_micros, open_micros, calls, input_tokens,
                             output_tokens)
  VALUES (NEW.month, NEW.day, NEW.model_id, NEW.task, NEW.provider,
          CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                         ELSE NEW.reserved_micros END,
          CASE WHEN NEW.state IN ('reserved', 'orphaned') THEN NEW.reserved_micros ELSE 0 END,
          (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL), COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0))
  ON CONFLICT (month, day, model_id, task, provider) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    open_micros = open_micros + excluded.open_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

CREATE TRIGGER ledger_totals_delete AFTER DELETE ON ledger
BEGIN
  UPDATE ledger_month_totals SET
    settled_micros = settled_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0) ELSE 0 END,
    reserved_micros = reserved_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
    orphaned_micros = orphaned_micros - CASE OLD.state WHEN 'orphaned' THEN OLD.reserved_micros ELSE 0 END,
    overrun_micros = overrun_micros - OLD.overrun_micros
  WHERE month = OLD.month;
  UPDATE ledger_rollup SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    open_micros = open_micros - CASE WHEN OLD.state IN ('reserved', 'orphaned') THEN OLD.reserved_micros ELSE 0 END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND day = OLD.day AND model_id = OLD.model_id AND task = OLD.task
    AND provider = OLD.provider;
END;

CREATE TRIGGER gateway_totals_insert AFTER INSERT ON ledger
BEGIN
  INSERT INTO gateway_month_totals (token_id, month, counted_micros, reserved_micros, calls, input_tokens,
                                    output_tokens)
  SELECT g.token_id, NEW.month,
         CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                        ELSE NEW.reserved_micros END,
         CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
         (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL), COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0)
    FROM gateway_runs g WHERE g.run_id = NEW.run_id
  ON CONFLICT (token_id, month) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

-- An update takes the old row's part out and puts the new row's in, whatever changed.
CREATE TRIGGER gateway_totals_update AFTER UPDATE ON ledger
BEGIN
  UPDATE gateway_month_totals SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    reserved_micros = reserved_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND token_id = (SELECT g.token_id FROM gateway_runs g WHERE g.run_id = OLD.run_id);
  INSERT INTO gateway_month_totals (token_id, month, counted_micros, reserved_micros, calls, input_tokens,
                                    output_tokens)
  SELECT g.token_id, NEW.month,
         CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                        ELSE NEW.reserved_micros END,
         CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
         (NEW.state <> 'released' OR NEW.duration_ms IS NOT NULL), COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0)
    FROM gateway_runs g WHERE g.run_id = NEW.run_id
  ON CONFLICT (token_id, month) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

CREATE TRIGGER gateway_totals_delete AFTER DELETE ON ledger
BEGIN
  UPDATE gateway_month_totals SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    reserved_micros = reserved_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND token_id = (SELECT g.token_id FROM gateway_runs g WHERE g.run_id = OLD.run_id);
END;

-- A run linked to its app after some of its charges were written (none are today): those charges count too.
CREATE TRIGGER gateway_totals_link AFTER INSERT ON gateway_runs
BEGIN
  INSERT INTO gateway_month_totals (token_id, month, counted_micros, reserved_micros, calls, input_tokens,
                                    output_tokens)
  SELECT NEW.token_id, l.month,
         SUM(CASE l.state WHEN 'settled' THEN COALESCE(l.charged_micros, 0) WHEN 'released' THEN 0
                          ELSE l.reserved_micros END),
         SUM(CASE l.state WHEN 'reserved' THEN l.reserved_micros ELSE 0 END),
         SUM(l.state <> 'released' OR l.duration_ms IS NOT NULL), COALESCE(SUM(l.input_tokens), 0), COALESCE(SUM(l.output_tokens), 0)
    FROM ledger l WHERE l.run_id = NEW.run_id GROUP BY l.month
  ON CONFLICT (token_id, month) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;
