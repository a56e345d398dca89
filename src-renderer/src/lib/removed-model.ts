// A model no longer in the registry (runs, spend and packs outlive it), named from its id as the writer knew it: an
// imported local model by its file's name, an endpoint's model with its endpoint.
import { modelIdParts } from '$contract/model-ids';

export function removedModelName(id: string): string {
  const parts = modelIdParts(id);
  switch (parts.kind) {
    case 'local':
      return `${parts.name} (no longer on this Mac)`;
    case 'endpoint':
      return `${parts.model} from “${parts.endpoint}” (no longer set up)`;
    default:
      return `${parts.id} (no longer set up)`;
  }
}
