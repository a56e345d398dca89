-- A hold a crash left open (orphaned) may have been billed: it counts as spent at its worst case, and the month's
-- totals, the gauge and spend:current say so. The rollup by day, model and task counted it as still reserved as well
-- (open_micros), so the chart and the tables showed as reserved what the gauge showed as spent. From here open_micros
-- holds only the holds of calls in flight (state 'reserved'); counted_micros is unchanged. The triggers are replaced
-- (money otherwise unchanged) and the orphaned holds already in open_micros are taken out in one pass.

DROP TRIGGER ledger_totals_insert;
DROP TRIGGER ledger_totals_update;
DROP TRIGGER ledger_totals_delete;

WITH orphans AS (
  SELECT month, day, model_id, task, provider, SUM(reserved_micros) AS micros FROM ledger
   WHERE state = 'orphaned' GROUP BY month, day, model_id, task, provider
)
UPDATE ledger_rollup SET open_micros = ledger_rollup.open_micros - orphans.micros FROM orphans
 WHERE ledger_rollup.month = orphans.month AND ledger_rollup.day = orphans.day
   AND ledger_rollup.model_id = orphans.model_id AND ledger_rollup.task = orphans.task
   AND ledger_rollup.provider = orphans.provider;

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
          CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
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
    open_micros = open_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
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
          CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
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
    open_micros = open_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
    calls = calls - (OLD.state <> 'released' OR OLD.duration_ms IS NOT NULL),
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND day = OLD.day AND model_id = OLD.model_id AND task = OLD.task
    AND provider = OLD.provider;
END;
