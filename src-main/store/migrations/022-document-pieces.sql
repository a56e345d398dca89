-- A manuscript's text is kept in pieces of a quarter of a million characters, each written in a short transaction of
-- its own with the app's other calls answered between them (DocumentsRepo.insert): one 48 MB row held every other
-- call for the half second and more SQLite took to write it. The pieces come first and the document's row last, in
-- one transaction with its chapters, so no manuscript is listed, found or read before its text is all there; pieces
-- whose row never came (Quire quit while storing them) are removed at start-up (DocumentsRepo.forgetUnfinished).
-- Hence no foreign key: a trigger removes a document's pieces with it. documents.text is left empty; a manuscript
-- stored before keeps its text as one piece.
CREATE TABLE document_pieces (
  document_id TEXT NOT NULL,
  position INTEGER NOT NULL CHECK (position >= 0),
  text TEXT NOT NULL,
  PRIMARY KEY (document_id, position)
) STRICT;
INSERT INTO document_pieces (document_id, position, text) SELECT id, 0, text FROM documents;
UPDATE documents SET text = '';
CREATE TRIGGER documents_pieces_deleted AFTER DELETE ON documents BEGIN
  DELETE FROM document_pieces WHERE document_id = OLD.id;
END;
