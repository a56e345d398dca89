// The model registry as data: the shipped file validated at load, and writer-added models merged over it.
import { z } from 'zod';
import { modelSpecSchema, type ModelSpec } from '../../src-preload/contract';

export const registryFileSchema = z
  .object({
    /** Where the shipped prices come from, one line per provider. */
    sources: z.record(z.string(), z.string()).optional(),
    models: z.array(modelSpecSchema),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.models.forEach((m, i) => {
      if (seen.has(m.id))
        ctx.addIssue({ code: 'custom', message: `Duplicate model id "${m.id}"`, path: ['models', i, 'id'] });
      seen.add(m.id);
      if (m.provider === 'local' && !m.local) {
        ctx.addIssue({
          code: 'custom',
          message: `Local model "${m.id}" needs local.catalog_id`,
          path: ['models', i, 'local'],
        });
      }
    });
  });

export function parseRegistry(json: unknown): ModelSpec[] {
  return registryFileSchema.parse(json).models;
}

/** Custom models replace shipped ones with the same id; otherwise they are appended, in the order given. */
export function mergeRegistry(shipped: readonly ModelSpec[], custom: readonly ModelSpec[]): ModelSpec[] {
  const byId = new Map<string, ModelSpec>();
  for (const spec of shipped) byId.set(spec.id, spec);
  for (const spec of custom) byId.set(spec.id, spec);
  return [...byId.values()];
}

/**
 * What adds the writer's own models to the registry (custom endpoints, imported GGUFs): RegistryService implements
 * it; the providers and the local library write through it without depending on the routing layer above them.
 */
export interface CustomModelSink {
  upsertCustomModels(source: string, specs: ModelSpec[]): void;
  removeCustomModels(source: string): void;
}
