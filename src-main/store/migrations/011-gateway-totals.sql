-- Each app's month of gateway spend, kept by triggers as ledger_month_totals is (008): an app's monthly-cap check runs
-- inside the write transaction of each of its calls, and joining the month's ledger rows to gateway_runs there read
-- every row of the month (44 ms at a million rows). Correct for every writer by construction; read in O(1).

CREATE TABLE gateway_month_totals (
  token_id TEXT NOT NULL,
  month TEXT NOT NULL,
  -- As the budget counts a row: settled at its charge, released at 0, open or crash-left at its reservation.
  counted_micros INTEGER NOT NULL DEFAULT 0,
  -- Still open: reserved and not settled.
  reserved_micros INTEGER NOT NULL DEFAULT 0,
  calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (token_id, month)
) STRICT, WITHOUT ROWID;

INSERT INTO gateway_month_totals (token_id, month, counted_micros, reserved_micros, calls, input_tokens, output_tokens)
SELECT g.token_id, l.month,
       SUM(CASE l.state WHEN 'settled' THEN COALESCE(l.charged_micros, 0) WHEN 'released' THEN 0
                        ELSE l.reserved_micros END),
       SUM(CASE l.state WHEN 'reserved' THEN l.reserved_micros ELSE 0 END),
       COUNT(*), COALESCE(SUM(l.input_tokens), 0), COALESCE(SUM(l.output_tokens), 0)
  FROM ledger l JOIN gateway_runs g ON g.run_id = l.run_id
 GROUP BY g.token_id, l.month;

-- A ledger row of a gateway run adds its part to its app's month (the run is linked before its first charge).
CREATE TRIGGER gateway_totals_insert AFTER INSERT ON ledger
BEGIN
  INSERT INTO gateway_month_totals (token_id, month, counted_micros, reserved_micros, calls, input_tokens,
                                    output_tokens)
  SELECT g.token_id, NEW.month,
         CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                        ELSE NEW.reserved_micros END,
         CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
         1, COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0)
    FROM gateway_runs g WHERE g.run_id = NEW.run_id
  ON CONFLICT (token_id, month) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    calls = calls + 1,
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
    calls = calls - 1,
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND token_id = (SELECT g.token_id FROM gateway_runs g WHERE g.run_id = OLD.run_id);
  INSERT INTO gateway_month_totals (token_id, month, counted_micros, reserved_micros, calls, input_tokens,
                                    output_tokens)
  SELECT g.token_id, NEW.month,
         CASE NEW.state WHEN 'settled' THEN COALESCE(NEW.charged_micros, 0) WHEN 'released' THEN 0
                        ELSE NEW.reserved_micros END,
         CASE NEW.state WHEN 'reserved' THEN NEW.reserved_micros ELSE 0 END,
         1, COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0)
    FROM gateway_runs g WHERE g.run_id = NEW.run_id
  ON CONFLICT (token_id, month) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    calls = calls + 1,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;

CREATE TRIGGER gateway_totals_delete AFTER DELETE ON ledger
BEGIN
  UPDATE gateway_month_totals SET
    counted_micros = counted_micros - CASE OLD.state WHEN 'settled' THEN COALESCE(OLD.charged_micros, 0)
                                                     WHEN 'released' THEN 0 ELSE OLD.reserved_micros END,
    reserved_micros = reserved_micros - CASE OLD.state WHEN 'reserved' THEN OLD.reserved_micros ELSE 0 END,
    calls = calls - 1,
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
         COUNT(*), COALESCE(SUM(l.input_tokens), 0), COALESCE(SUM(l.output_tokens), 0)
    FROM ledger l WHERE l.run_id = NEW.run_id GROUP BY l.month
  ON CONFLICT (token_id, month) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    reserved_micros = reserved_micros + excluded.reserved_micros,
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens;
END;
