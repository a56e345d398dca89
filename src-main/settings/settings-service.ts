import { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  settingsSchema,
  type Settings,
  type SettingsPatch,
  type SettingsSection,
} from '../../src-preload/contract';
import type { EventBus } from '../infra/event-bus';
import { intervalTicker, type Ticker } from '../infra/ticker';
import { InvalidInputError, StorageError } from '../errors';
import type { SectionPatches, SettingsRepo, StoredSettings } from '../store/repos/settings-repo';

/** How often the app looks for settings changed by another process (the CLI, a second host). */
export const EXTERNAL_POLL_MS = 1_000;

// Captured at load: a test's fake timers must not freeze the "once per turn" clock below.
const nextTurn = setImmediate;
/** Settings written through any service in this process (a second connection to the file included). */
let writesInProcess = 0;

/**
 * Typed settings over the store: defaults for what was never set, validation of every change, one event per change.
 * Another process may change settings too (`npm run quire -- packs use`): reads notice through SQLite's data_version,
 * writes only set the keys they change, and {@link poll} announces a change made elsewhere.
 */
export class SettingsService {
  private cache: Settings | null = null;
  /** data_version and the stored bytes behind the cache. */
  private seenVersion = -1;
  private seenRaw: string | null = null;
  /** What listeners were last told (a poll announces only a real difference). */
  private announced: string | null = null;
  /**
   * Asking SQLite for data_version costs more than a whole decision (~15 µs), and a run reads settings a dozen times:
   * it is asked at most once per event-loop turn. Another process's change is seen from the next turn; a change made
   * in this process (by any connection) at once.
   */
  private checkedThisTurn = false;
  private seenWrites = -1;

  constructor(
    private readonly repo: SettingsRepo,
    private readonly events: EventBus,
  ) {}

  get(): Settings {
    if (this.cache && this.checkedThisTurn && this.seenWrites === writesInProcess) return this.cache;
    if (!this.checkedThisTurn) {
      this.checkedThisTurn = true;
      nextTurn(() => (this.checkedThisTurn = false));
    }
    this.seenWrites = writesInProcess;
    const version = this.repo.version();
    if (this.cache && version === this.seenVersion) return this.cache;
    const stored = this.repo.read();
    this.seenVersion = version;
    if (this.cache && stored.raw === this.seenRaw) return this.cache;
    this.cache = this.parse(stored);
    this.seenRaw = stored.raw;
    this.announced ??= JSON.stringify(this.cache);
    return this.cache;
  }

  /**
   * Applies a partial update to the settings as stored now (read, checked and written under the write lock); the
   * result is validated as a whole before anything is written, and only the keys in the patch are written.
   */
  set(patch: SettingsPatch): Settings {
    const result = this.repo.update((stored) => {
      const next = structuredClone(this.parse(stored)) as Record<SettingsSection, Record<string, unknown>>;
      const patches: SectionPatches = {};
      for (const [section, values] of Object.entries(patch) as [
        SettingsSection,
        Record<string, unknown> | undefined,
      ][]) {
        if (!values) continue;
        Object.assign(next[section], values);
        patches[section] = { ...values };
      }
      const parsed = settingsSchema.safeParse(next);
      if (!parsed.success) throw InvalidInputError.fromZod(parsed.error);
      // Read under the lock: our own commit does not move data_version, so a later change means another writer.
      const version = this.repo.version();
      return { patches, result: { settings: parsed.data, changed: Object.keys(patches).length > 0, version } };
    });
    writesInProcess++;
    this.cache = result.settings;
    this.seenVersion = result.version;
    this.seenRaw = null;
    if (result.changed) this.announce(result.settings);
    return result.settings;
  }

  /** Looks for a change another process made; announces it (settings:changed) when the settings differ. */
  poll(): boolean {
    const settings = this.get();
    if (JSON.stringify(settings) === this.announced) return false;
    this.announce(settings);
    return true;
  }

  /** Polls on `ticker` until the returned function is called. */
  watch(ticker: Ticker = intervalTicker, ms = EXTERNAL_POLL_MS): () => void {
    this.get();
    return ticker(() => {
      try {
        this.poll();
      } catch {
        // A busy or closing database: the next tick looks again.
      }
    }, ms);
  }

  private announce(settings: Settings): void {
    this.announced = JSON.stringify(settings);
    this.events.emit('settings:changed', settings);
  }

  private parse(stored: StoredSettings): Settings {
    const merged = structuredClone(DEFAULT_SETTINGS) as Record<SettingsSection, Record<string, unknown>>;
    for (const row of stored.rows) {
      if (row.section in merged && row.value && typeof row.value === 'object') {
        Object.assign(merged[row.section as SettingsSection], row.value);
      }
    }
    const parsed = settingsSchema.safeParse(merged);
    if (!parsed.success) {
      throw new StorageError(`Stored settings are invalid: ${z.prettifyError(parsed.error)}`, {
        reason: 'unreadable_settings',
      });
    }
    return parsed.data;
  }
}
