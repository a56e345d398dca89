import { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  settingsSchema,
  type Settings,
  type SettingsPatch,
  type SettingsSection,
} from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import { InvalidInputError, StorageError } from '../errors';
import type { SettingsRepo } from '../store/repos/settings-repo';

/** Typed settings over the store: defaults for what was never set, validation of every change, one event per change. */
export class SettingsService {
  private cache: Settings | null = null;

  constructor(
    private readonly repo: SettingsRepo,
    private readonly events: EventBus,
  ) {}

  get(): Settings {
    if (this.cache) return this.cache;
    const merged = structuredClone(DEFAULT_SETTINGS) as Record<SettingsSection, Record<string, unknown>>;
    for (const row of this.repo.all()) {
      if (row.section in merged && row.value && typeof row.value === 'object') {
        Object.assign(merged[row.section as SettingsSection], row.value);
      }
    }
    const parsed = settingsSchema.safeParse(merged);
    if (!parsed.success) {
      throw new StorageError(`Stored settings are invalid: ${z.prettifyError(parsed.error)}`);
    }
    this.cache = parsed.data;
    return this.cache;
  }

  /** Applies a partial update; the result is validated as a whole before anything is written. */
  set(patch: SettingsPatch): Settings {
    const current = this.get();
    const next = structuredClone(current) as Record<SettingsSection, Record<string, unknown>>;
    const changed: Partial<Record<SettingsSection, unknown>> = {};
    for (const [section, values] of Object.entries(patch) as [SettingsSection, Record<string, unknown> | undefined][]) {
      if (!values) continue;
      Object.assign(next[section], values);
      changed[section] = next[section];
    }
    const parsed = settingsSchema.safeParse(next);
    if (!parsed.success) throw InvalidInputError.fromZod(parsed.error);
    if (Object.keys(changed).length === 0) return current;
    this.repo.write(changed);
    this.cache = parsed.data;
    this.events.emit('settings:changed', parsed.data);
    return parsed.data;
  }
}
