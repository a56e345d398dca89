-- Local model library (verified GGUFs in the models folder) and downloads, so that after a restart both lists tell
-- the truth: a row in local_models is a complete, verified file; a download row is work that is not finished.
CREATE TABLE local_models (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  sha256 TEXT NOT NULL,
  -- What the hash was checked against: the catalog, Hugging Face's LFS oid, the writer's value, or nothing.
  verified_against TEXT NOT NULL CHECK (verified_against IN ('catalog', 'hf_lfs_oid', 'user', 'none')),
  source TEXT NOT NULL CHECK (source IN ('catalog', 'url', 'import')),
  catalog_id TEXT,
  url TEXT,
  architecture TEXT NOT NULL,
  context_length INTEGER NOT NULL,
  added_at TEXT NOT NULL
) STRICT;

CREATE TABLE downloads (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  catalog_id TEXT,
  partial_file TEXT NOT NULL,
  final_file TEXT NOT NULL,
  expected_sha256 TEXT,
  sha256_source TEXT CHECK (sha256_source IN ('catalog', 'hf_lfs_oid', 'user')),
  total_bytes INTEGER,
  received_bytes INTEGER NOT NULL DEFAULT 0,
  etag TEXT,
  status TEXT NOT NULL CHECK (status IN ('downloading', 'paused', 'verifying', 'failed')),
  error_reason TEXT,
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
