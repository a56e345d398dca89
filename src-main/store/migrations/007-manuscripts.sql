-- Manuscripts: a long document kept whole (its text), with its chapters and paragraphs as offsets into that text, so
-- every finding has a location a writer can jump to. Multi-part jobs over a manuscript (or any input too long for one
-- call) keep their plan and every finished part, so a crash mid-job loses no finished part and the job can resume.

CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  source_path TEXT NOT NULL,
  source_kind TEXT NOT NULL CHECK (source_kind IN ('file', 'folder')),
  text TEXT NOT NULL,
  word_count INTEGER NOT NULL CHECK (word_count >= 0),
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX documents_created ON documents (created_at);

CREATE TABLE document_chapters (
  document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  -- 1-based in reading order; 0 for text before the first chapter heading.
  number INTEGER NOT NULL CHECK (number >= 0),
  title TEXT NOT NULL,
  start_offset INTEGER NOT NULL CHECK (start_offset >= 0),
  end_offset INTEGER NOT NULL CHECK (end_offset >= start_offset),
  paragraph_count INTEGER NOT NULL CHECK (paragraph_count >= 0),
  -- Folder mode: the chapter's file name.
  source_file TEXT,
  PRIMARY KEY (document_id, position)
) STRICT;

CREATE TABLE document_paragraphs (
  document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  chapter INTEGER NOT NULL CHECK (chapter >= 0),
  kind TEXT NOT NULL CHECK (kind IN ('heading', 'break', 'text')),
  -- Prose paragraphs only: 1-based within the chapter.
  paragraph INTEGER CHECK (paragraph IS NULL OR paragraph >= 1),
  start_offset INTEGER NOT NULL CHECK (start_offset >= 0),
  end_offset INTEGER NOT NULL CHECK (end_offset >= start_offset),
  PRIMARY KEY (document_id, position)
) STRICT;

CREATE TABLE manuscript_jobs (
  id TEXT PRIMARY KEY,
  document_id TEXT REFERENCES documents (id) ON DELETE SET NULL,
  task TEXT NOT NULL,
  model_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  -- The whole input and the split (part spans, budgets), so a job resumes without its document.
  input_text TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  quote_json TEXT NOT NULL,
  error_message TEXT,
  created_at TEXT NOT NULL,
  finished_at TEXT
) STRICT;
CREATE INDEX manuscript_jobs_document ON manuscript_jobs (document_id);

CREATE TABLE manuscript_job_parts (
  job_id TEXT NOT NULL REFERENCES manuscript_jobs (id) ON DELETE CASCADE,
  part_index INTEGER NOT NULL CHECK (part_index >= 0),
  findings_json TEXT NOT NULL,
  -- The story so far after this part (what the next part is given).
  story_json TEXT NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  wall_ms INTEGER NOT NULL CHECK (wall_ms >= 0),
  finished_at TEXT NOT NULL,
  PRIMARY KEY (job_id, part_index)
) STRICT;
