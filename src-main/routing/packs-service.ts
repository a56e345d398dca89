// Built-in packs (resources/packs.json) and the writer's own (SQLite); the active one is settings.orchestrator.active_pack.
import type { Pack, PackList, PackSave } from '../../src-preload/contract';
import { ConflictError, NotFoundError } from '../errors';
import { validatePackTasks } from '../orchestrator/packs';
import type { TaskTable } from '../orchestrator/tasks';
import type { SettingsService } from '../settings/settings-service';
import type { PacksRepo } from '../store/repos/packs-repo';
import type { RegistryService } from './registry-service';

export const DEFAULT_PACK = 'mixed';

export class PacksService {
  private readonly builtins: Map<string, Pack>;

  constructor(
    builtins: readonly Pack[],
    private readonly repo: PacksRepo,
    private readonly registry: RegistryService,
    private readonly tasks: TaskTable,
    private readonly settings: SettingsService,
  ) {
    this.builtins = new Map(builtins.map((p) => [p.name, p]));
  }

  list(): PackList {
    return { active: this.active().name, packs: [...this.builtins.values(), ...this.repo.all()] };
  }

  get(name: string): Pack {
    const pack = this.builtins.get(name) ?? this.repo.get(name);
    if (!pack) throw new NotFoundError('Model pack', name);
    return pack;
  }

  /** The active pack; a stale setting (a deleted pack) falls back to the default. */
  active(): Pack {
    const name = this.settings.get().orchestrator.active_pack;
    return this.builtins.get(name) ?? this.repo.get(name) ?? this.get(DEFAULT_PACK);
  }

  /**
   * Creates or edits a custom pack; `copy_from` duplicates another pack's mapping first, into a name not taken by
   * another of the writer's packs.
   */
  save(input: PackSave): Pack {
    if (this.builtins.has(input.name)) {
      throw new ConflictError(`"${input.name}" is a built-in pack; save a copy under another name instead`);
    }
    const existing = this.repo.get(input.name);
    // A copy (a new pack) never replaces one of the writer's own packs under the same name.
    if (existing && input.copy_from !== undefined && input.copy_from !== input.name) {
      throw new ConflictError(
        `You already have a pack named “${input.name}” (${existing.display_name}). Choose another name, or edit that pack instead.`,
      );
    }
    const from = input.copy_from !== undefined ? this.get(input.copy_from) : existing;
    const tasks = { ...(from?.tasks ?? {}), ...(input.tasks ?? {}) };
    validatePackTasks(tasks, this.tasks, (id) => this.registry.get(id) !== undefined);
    const pack: Pack = {
      name: input.name,
      display_name: input.display_name ?? existing?.display_name ?? input.name,
      description: input.description ?? existing?.description ?? (from ? `Copy of ${from.display_name}` : ''),
      builtin: false,
      tasks,
    };
    this.repo.save(pack);
    return pack;
  }

  delete(name: string): PackList {
    if (this.builtins.has(name)) throw new ConflictError(`"${name}" is a built-in pack and cannot be deleted`);
    if (!this.repo.delete(name)) throw new NotFoundError('Model pack', name);
    if (this.settings.get().orchestrator.active_pack === name) {
      this.settings.set({ orchestrator: { active_pack: DEFAULT_PACK } });
    }
    return this.list();
  }

  activate(name: string): PackList {
    const pack = this.get(name);
    this.settings.set({ orchestrator: { active_pack: pack.name } });
    return this.list();
  }
}
