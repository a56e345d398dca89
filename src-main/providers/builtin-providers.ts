// Which provider (key, breaker, health) serves a registry model. The built-in providers themselves are rows of the
// contract's provider table (src-preload/contract/provider-table.ts).
import type { ModelSpec } from '../../src-preload/contract';

/** A model's custom endpoint ("endpoint:<id>"), else its built-in provider's id. */
export function providerIdOf(spec: ModelSpec): string {
  if (spec.endpoint_id) return `endpoint:${spec.endpoint_id}`;
  return spec.provider;
}
