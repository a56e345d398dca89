// A model no longer in the registry (runs, spend and packs outlive it), named from its id as the writer knew it: an
// imported local model by its file's name, an endpoint's model with its endpoint.
export function removedModelName(id: string): string {
  if (id.startsWith('local:')) return `${id.slice('local:'.length)} (no longer on this Mac)`;
  const slash = id.indexOf('/');
  if (slash > 0 && slash < id.length - 1)
    return `${id.slice(slash + 1)} from “${id.slice(0, slash)}” (no longer set up)`;
  return `${id} (no longer set up)`;
}
