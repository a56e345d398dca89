-- A run on a long passage looks for the stored manuscript with exactly that text (its SHA-256), to number chapters
-- and paragraphs as the library does. Without an index that read every manuscript's row, and since sha256 comes after
-- the whole text in the row, every manuscript's text with it.
CREATE INDEX documents_sha256 ON documents (sha256, created_at);
