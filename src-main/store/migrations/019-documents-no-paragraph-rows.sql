-- A manuscript's paragraphs are no longer kept as rows: they are parsed again from its text when a run needs them
-- (ManuscriptsService.structureOf), which is the same parse it was opened with. A row per paragraph made a 48 MB
-- file of 1.8 million short paragraphs take 7 s to store, 2 s to read back and 195 MB to send to the window, with
-- the host answering nothing meanwhile; the paragraph count a manuscript's summary shows is its chapters' sum.
DROP TABLE document_paragraphs;
