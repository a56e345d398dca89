-- A tournament finding cites every quote its task's findings contract gives (a contradiction cites both places), each
-- located by Quire's own numbering: evidence_json holds them ([{quote, location, found}], contract/tournaments.ts)
-- and suggestion the finding's proposed fix. Rows written before this have evidence_json NULL: their one quote is in
-- evidence_quote, which new rows keep filling with their first quote (the 005 column is NOT NULL), with location
-- its place's label and quote_found whether every quote was found.
ALTER TABLE tournament_findings ADD COLUMN evidence_json TEXT;
ALTER TABLE tournament_findings ADD COLUMN suggestion TEXT;
