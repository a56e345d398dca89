-- The name a model the writer added (an endpoint's model, an imported GGUF) was known by, kept once it is removed:
-- its runs outlive it, and the History and a run's report name it as the writer did ("Night Editor from “studio”
-- (no longer set up)"), not by the id its server gave it ("llama3.1:8b-q4"). Written by the trigger as a model's row
-- leaves custom_models (removed, or replaced when its endpoint is saved); read only for a model the registry no longer
-- has. Models removed before this migration left no name: they keep being named from their id.
CREATE TABLE model_names (
  model_id TEXT PRIMARY KEY,
  display_name TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO model_names (model_id, display_name)
SELECT id, json_extract(spec, '$.display_name') FROM custom_models
 WHERE json_type(spec, '$.display_name') = 'text'
ON CONFLICT (model_id) DO UPDATE SET display_name = excluded.display_name;

CREATE TRIGGER custom_models_name_kept AFTER DELETE ON custom_models
WHEN json_type(OLD.spec, '$.display_name') = 'text'
BEGIN
  INSERT INTO model_names (model_id, display_name) VALUES (OLD.id, json_extract(OLD.spec, '$.display_name'))
  ON CONFLICT (model_id) DO UPDATE SET display_name = excluded.display_name;
END;
