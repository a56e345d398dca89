// The registry the app decides with: the shipped resources/models.json with the writer's own models (custom
// endpoints, imported GGUFs) stored in SQLite and merged over it.
import { z } from 'zod';
import { modelSpecSchema, type ModelSpec } from '../../src-preload/contract';
import { InvalidInputError } from '../errors';
import { mergeRegistry } from '../orchestrator/registry';
import type { CustomModelsRepo } from '../store/repos/custom-models-repo';

const specListSchema = z.array(modelSpecSchema);

export class RegistryService {
  private merged: ModelSpec[] | null = null;
  private byId: Map<string, ModelSpec> | null = null;
  private listeners: (() => void)[] = [];
  private contextOf: ((spec: ModelSpec) => number | undefined) | null = null;

  constructor(
    private readonly shipped: readonly ModelSpec[],
    private readonly custom: CustomModelsRepo,
  ) {}

  all(): ModelSpec[] {
    if (!this.merged) {
      const merged = mergeRegistry(this.shipped, this.custom.all());
      const contextOf = this.contextOf;
      this.merged = contextOf
        ? merged.map((spec) => {
            const real = contextOf(spec);
            return real !== undefined && real !== spec.context_window ? { ...spec, context_window: real } : spec;
          })
        : merged;
    }
    return this.merged;
  }

  /**
   * Installed local models: the context the runtime will really open replaces the advertised one, so decisions,
   * quotes and splitting use what will be used. `contextOf` answers from a cache; call `refresh()` when it changes.
   */
  useContextWindows(contextOf: (spec: ModelSpec) => number | undefined): void {
    this.contextOf = contextOf;
    this.changed();
  }

  refresh(): void {
    this.changed();
  }

  get(id: string): ModelSpec | undefined {
    if (!this.byId) this.byId = new Map(this.all().map((m) => [m.id, m]));
    return this.byId.get(id);
  }

  /**
   * Replaces every model `source` added (`endpoint:<id>` or `local:<library id>`) with `specs`. Each spec is validated
   * first; on any invalid one nothing changes.
   */
  upsertCustomModels(source: string, specs: ModelSpec[]): void {
    const parsed = specListSchema.safeParse(specs);
    if (!parsed.success) throw InvalidInputError.fromZod(parsed.error);
    this.custom.replaceSource(source, parsed.data);
    this.changed();
  }

  removeCustomModels(source: string): void {
    this.custom.removeSource(source);
    this.changed();
  }

  /** Called after every change (the orchestrator drops its price cache). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    this.merged = null;
    this.byId = null;
    for (const listener of this.listeners) listener();
  }
}
