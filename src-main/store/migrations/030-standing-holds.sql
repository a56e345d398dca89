-- Money a Quire process holds against the month's budget ahead of its cloud calls (ledger/standing-hold.ts). A call
-- takes its reservation out of its process's hold in the same commit that writes the call's own row, so once the hold
-- is on disk the call need not wait for its own commit's fsync before it is sent: if that commit is lost, the hold on
-- disk still covers it. Every budget check counts every process's hold. The owner (pid + start token) says whose it
-- is; boot_id says which boot of the computer it was taken in: after an app crash (same boot) every committed call row
-- survived and the rest of the hold is released; after a power cut or restart (another boot, or one not known) what
-- was left of it is counted as spent, since calls sent from it may have been lost with their rows.
CREATE TABLE standing_holds (
  id INTEGER PRIMARY KEY,
  month TEXT NOT NULL,
  micros INTEGER NOT NULL CHECK (micros >= 0),
  owner_pid INTEGER,
  owner_token TEXT,
  boot_id TEXT,
  created_at TEXT NOT NULL
) STRICT;
