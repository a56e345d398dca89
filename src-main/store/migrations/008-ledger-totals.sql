-- Shared data directories and a year of use. Every call's ledger row and every run row names the process that owns it
-- (pid + a start token, so a recycled pid is not mistaken for the owner), so start-up recovery touches only the work
-- of processes that are gone. Month totals and the month's rollup by (day, model, task) are kept by triggers: correct
-- for every writer (the CLI, a second host) by construction, and read in O(1) / O(groups) instead of scanning a month.

ALTER TABLE ledger ADD COLUMN owner_pid INTEGER;
ALTER TABLE ledger ADD COLUMN owner_token TEXT;
-- A settlement above its reservation (the provider counted more than Quire's bound): what went past the hold.
ALTER TABLE ledger ADD COLUMN overrun_micros INTEGER NOT NULL DEFAULT 0 CHECK (overrun_micros >= 0);
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN owner_token TEXT;

-- Start-up reads only the open work (partial indexes), never a whole table.
CREATE INDEX ledger_open ON ledger (owner_pid, owner_token) WHERE state = 'reserved';
-- A month's overruns per model (rare rows): the next reservation for that model is scaled by what it overran.
CREATE INDEX ledger_overruns ON ledger (month, model_id) WHERE overrun_micros > 0;
CREATE INDEX runs_running ON runs (owner_pid, owner_token) WHERE status = 'running';
-- The month's rows in id order (the CSV export pages through it); the covering index the budget check scanned is
-- replaced by ledger_month_totals.
DROP INDEX ledger_month;
CREATE INDEX ledger_month ON ledger (month);

CREATE TABLE ledger_month_totals (
  month TEXT PRIMARY KEY NOT NULL,
  settled_micros INTEGER NOT NULL DEFAULT 0,
  reserved_micros INTEGER NOT NULL DEFAULT 0,
  orphaned_micros INTEGER NOT NULL DEFAULT 0,
  overrun_micros INTEGER NOT NULL DEFAULT 0
) STRICT;

-- counted: what a row counts against the budget (settled: the charge; released: 0; reserved/orphaned: the hold).
-- open: holds still counted at their worst case (reserved or orphaned).
CREATE TABLE ledger_rollup (
  month TEXT NOT NULL,
  day TEXT NOT NULL,
  model_id TEXT NOT NULL,
  task TEXT NOT NULL,
  provider TEXT NOT NULL,
  counted_micros INTEGER NOT NULL DEFAULT 0,
  open_micros INTEGER NOT NULL DEFAULT 0,
  calls INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, day, model_id, task, provider)
) STRICT, WITHOUT ROWID;

INSERT INTO ledger_month_totals (month, settled_micros, reserved_micros, orphaned_micros, overrun_micros)
SELECT month,
       SUM(CASE state WHEN 'settled' THEN COALESCE(charged_micros, 0) ELSE 0 END),
       SUM(CASE state WHEN 'reserved' THEN reserved_micros ELSE 0 END),
       SUM(CASE state WHEN 'orphaned' THEN reserved_micros ELSE 0 END),
       SUM(overrun_micros)
  FROM ledger GROUP BY month;

INSERT INTO ledger_rollup (month, day, model_id, task, provider, counted_micros, open_micros, calls, input_tokens,
                           output_tokens)
SELECT month, day, model_id, task, provider,
       SUM(CASE state WHEN 'settled' THEN COALESCE(charged_micros, 0) WHEN 'released' THEN 0 ELSE reserved_micros END),
       SUM(CASE WHEN state IN ('reserved', 'orphaned') THEN reserved_micros ELSE 0 END),
       COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)
  FROM ledger GROUP BY month, day, model_id, task, provider;

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
          1, COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0))
  ON CONFLICT (month, day, model_id, task, provider) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    open_micros = open_micros + excluded.open_micros,
    calls = calls + 1,
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
    calls = calls - 1,
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
          1, COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0))
  ON CONFLICT (month, day, model_id, task, provider) DO UPDATE SET
    counted_micros = counted_micros + excluded.counted_micros,
    open_micros = open_micros + excluded.open_micros,
    calls = calls + 1,
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
    calls = calls - 1,
    input_tokens = input_tokens - COALESCE(OLD.input_tokens, 0),
    output_tokens = output_tokens - COALESCE(OLD.output_tokens, 0)
  WHERE month = OLD.month AND day = OLD.day AND model_id = OLD.model_id AND task = OLD.task
    AND provider = OLD.provider;
END;
