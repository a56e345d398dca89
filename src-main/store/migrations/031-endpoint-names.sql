-- A custom endpoint's name as the writer reads it ("Ollama on my Mac"), changed at will; its id stays, so its models'
-- ids, its key, its runs and its spend stay linked. NULL: named by its id, as before this migration.
ALTER TABLE provider_endpoints ADD COLUMN name TEXT;
