-- A gateway call's hold against its app's monthly cap, kept in SQLite rather than in one process's memory, so two
-- Quire processes on one data directory (the app and a browser host) never both admit calls past the cap. Written in
-- the same IMMEDIATE transaction that checks the cap; zeroed when the call ends. The owner (pid + its kernel start
-- time) lets a crashed process's holds be ignored: its reservations still count in the ledger.
ALTER TABLE gateway_runs ADD COLUMN held_micros INTEGER NOT NULL DEFAULT 0 CHECK (held_micros >= 0);
ALTER TABLE gateway_runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE gateway_runs ADD COLUMN owner_token TEXT;
CREATE INDEX gateway_runs_held ON gateway_runs (token_id) WHERE held_micros > 0;
