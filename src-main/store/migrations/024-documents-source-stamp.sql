-- What a manuscript's file or folder was when Quire read it (manuscripts/source-stamp.ts): its size and modification
-- time, for a folder each chapter file's by name. Picking the manuscript again compares them with the disk (a look,
-- not a read), so the writer is told when the file was edited, or moved, since. JSON; null for manuscripts stored
-- before (and for one uploaded from a browser): nothing to compare with, so never said to have changed.
ALTER TABLE documents ADD COLUMN source_stamp TEXT;
