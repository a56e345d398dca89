-- The outcome of a model's test load in a child process (the probe, src-main/local/probe.ts), by the file's SHA-256.
-- It was kept in a JSON file in the models folder: when the writer picked another folder, a model whose test load
-- had crashed llama.cpp lost its verdict while its record (an absolute path) stayed, and was loaded in-process. Kept
-- beside the records now, in the same file, it cannot be lost apart from them.
CREATE TABLE probe_verdicts (
  sha256 TEXT PRIMARY KEY NOT NULL,
  usable INTEGER NOT NULL CHECK (usable IN (0, 1)),
  -- Why it may not be loaded (null when usable).
  reason TEXT,
  probed_at TEXT NOT NULL,
  CHECK ((usable = 1) = (reason IS NULL))
) STRICT;
