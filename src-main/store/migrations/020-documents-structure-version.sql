-- Which numbering of a manuscript's chapters and paragraphs (manuscripts/structure.ts, STRUCTURE_VERSION) its stored
-- chapters were made with: when Quire numbers texts differently, the ones made before are numbered again at start-up
-- (ManuscriptsService.renumberStale), so the library shows the chapters a run places its findings in. Every row
-- stored before this migration was made with version 1. The index keeps that start-up look to the stale rows.
ALTER TABLE documents ADD COLUMN structure_version INTEGER NOT NULL DEFAULT 1;
CREATE INDEX documents_structure_version ON documents (structure_version);
