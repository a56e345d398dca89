// How a model id says where the model comes from: an endpoint's models are `<endpoint id>/<model id>`, an imported
// local file's is `local:<name>`. Main builds ids with these; both sides read them back when the model itself is gone
// from the registry (a pack, a past run, a month's spend outlive it) and only its id is left to name it by.

const LOCAL = 'local:';

/**
 * The model and task of a spend row no call made: what a Quire process held ahead for its calls when the computer
 * stopped (main's ledger/standing-hold.ts), counted as spent. Named for the writer wherever a model or task is.
 */
export const HELD_AHEAD_ID = 'quire:held-ahead';
export const HELD_AHEAD_NAME = 'Held ahead when your Mac stopped';

/** A task id the task table does not have, as the writer reads it. */
export function unknownTaskName(id: string): string {
  return id === HELD_AHEAD_ID ? HELD_AHEAD_NAME : id;
}

export function endpointModelId(endpointId: string, modelId: string): string {
  return `${endpointId}/${modelId}`;
}

/** An imported (or downloaded) local file's model: `local:<library id>`, also the registry source it is listed under. */
export function localModelId(libraryId: string): string {
  return `${LOCAL}${libraryId}`;
}

export type ModelIdParts =
  | { kind: 'local'; name: string }
  | { kind: 'endpoint'; endpoint: string; model: string }
  | { kind: 'other'; id: string };

export function modelIdParts(id: string): ModelIdParts {
  if (id.startsWith(LOCAL) && id.length > LOCAL.length) return { kind: 'local', name: id.slice(LOCAL.length) };
  const slash = id.indexOf('/');
  if (slash > 0 && slash < id.length - 1)
    return { kind: 'endpoint', endpoint: id.slice(0, slash), model: id.slice(slash + 1) };
  return { kind: 'other', id };
}

/**
 * A model no longer in the registry (runs, spend and packs outlive it), named as the writer knew it: by `knownAs`, the
 * name it had when it was removed (a run's `model_name`), else from its id — an imported local model by its file's
 * name, an endpoint's model with its endpoint.
 */
export function removedModelName(id: string, knownAs?: string | null): string {
  if (id === HELD_AHEAD_ID) return HELD_AHEAD_NAME;
  const parts = modelIdParts(id);
  switch (parts.kind) {
    case 'local':
      return `${knownAs ?? parts.name} (no longer on this Mac)`;
    case 'endpoint':
      return `${knownAs ?? parts.model} from “${parts.endpoint}” (no longer set up)`;
    default:
      return `${knownAs ?? parts.id} (no longer set up)`;
  }
}
