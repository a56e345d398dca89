-- A catalog model's file checksum that the catalog does not list, as Quire learned it: Hugging Face's on a start, or
-- the bytes' own when a download found them already installed under another name. Held in memory only, it was lost
-- at a restart: the catalog card no longer said "already installed (same file)", and the next click fetched the whole
-- file again to find out. Kept beside the model records, by catalog id (the latest learned wins).
CREATE TABLE catalog_checksums (
  catalog_id TEXT PRIMARY KEY NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  learned_at TEXT NOT NULL
) STRICT;
