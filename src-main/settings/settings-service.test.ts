import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src-preload/contract';
import { EventBus } from '../infra/event-bus';
import { openDatabase } from '../store/database';
import { SettingsRepo } from '../store/repos/settings-repo';
import { useTempDir } from '../../test/support/temp-dir';
import { join } from 'node:path';
import { SettingsService } from './settings-service';

function service(file: string) {
  const events = new EventBus();
  const db = openDatabase(file);
  return { db, events, settings: new SettingsService(new SettingsRepo(db, () => new Date(0)), events) };
}

describe('SettingsService', () => {
  const tempDir = useTempDir();

  it("starts from seed 000's defaults, with automatic selection on and the first-run setup not yet done", () => {
    const { settings, db } = service(join(tempDir(), 'q.sqlite'));
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
    expect(settings.get().setup).toEqual({ done: false, choice: null });
    expect(settings.get().orchestrator).toMatchObject({
      enabled: true,
      quality_tier: 'balanced',
      monthly_budget: null,
      prefer_local: false,
      cost_tracking_enabled: true,
    });
    db.close();
  });

  it('applies a partial update, persists it, and emits settings:changed', () => {
    const file = join(tempDir(), 'q.sqlite');
    const first = service(file);
    const seen: unknown[] = [];
    first.events.subscribe((event) => seen.push(event));
    const next = first.settings.set({ orchestrator: { quality_tier: 'premium', monthly_budget: 12.5 } });
    expect(next.orchestrator.quality_tier).toBe('premium');
    expect(next.orchestrator.prefer_local).toBe(false);
    expect(seen).toEqual([{ name: 'settings:changed', payload: next }]);
    first.db.close();

    const reopened = service(file);
    expect(reopened.settings.get().orchestrator).toMatchObject({ quality_tier: 'premium', monthly_budget: 12.5 });
    reopened.db.close();
  });

  it.each([
    [{ orchestrator: { monthly_budget: -1 } }, 'orchestrator.monthly_budget', /zero or more/],
    [{ orchestrator: { monthly_budget: Number.POSITIVE_INFINITY } }, 'orchestrator.monthly_budget', /finite|number/],
    [{ tournament: { num_models: 1 } }, 'tournament.num_models', /at least 2/],
    [
      { local: { idle_unload_minutes: -5 } },
      'local.idle_unload_minutes',
      /Unload idle models after 0 minutes \(never\)/,
    ],
    [{ local: { memory_budget_mb: 100 } }, 'local.memory_budget_mb', /Memory for local models must be at least 256 MB/],
    [{ local: { threads: 1.5 } }, 'local.threads', /Threads for local models must be a whole number/],
  ])('refuses %j with a specific error and changes nothing', (patch, path, message) => {
    const { settings, db, events } = service(join(tempDir(), 'q.sqlite'));
    settings.set({ orchestrator: { monthly_budget: 5 } });
    const seen: unknown[] = [];
    events.subscribe((event) => seen.push(event));
    expect(() => settings.set(patch as never)).toThrow(message);
    try {
      settings.set(patch as never);
    } catch (error) {
      expect((error as { code: string; path: string }).code).toBe('invalid_input');
      expect((error as { path: string }).path).toBe(path);
    }
    expect(settings.get().orchestrator.monthly_budget).toBe(5);
    expect(seen).toEqual([]);
    db.close();
  });

  it("sees another connection's change at once, announces it once on poll, and writes only its own keys after it", () => {
    const file = join(tempDir(), 'q.sqlite');
    const app = service(file);
    const cli = service(file);
    const seen: { name: string; payload: unknown }[] = [];
    app.events.subscribe((event) => seen.push(event));
    expect(app.settings.get().orchestrator.active_pack).toBe('mixed');
    cli.settings.set({ orchestrator: { active_pack: 'quality' } });
    expect(app.settings.get().orchestrator.active_pack).toBe('quality');
    expect(app.settings.poll()).toBe(true);
    expect(app.settings.poll()).toBe(false);
    expect(seen.map((e) => e.name)).toEqual(['settings:changed']);
    app.settings.set({ orchestrator: { monthly_budget: 5 } });
    expect(cli.settings.get().orchestrator).toMatchObject({ active_pack: 'quality', monthly_budget: 5 });
    const row = app.db.prepare(`SELECT value FROM settings WHERE section = 'orchestrator'`).get() as { value: string };
    expect(JSON.parse(row.value)).toEqual({ active_pack: 'quality', monthly_budget: 5 });
    app.db.close();
    cli.db.close();
  });

  it("sees another process's change from the next event-loop turn, however often it was read in this one", async () => {
    const file = join(tempDir(), 'q.sqlite');
    const app = service(file);
    // Another process writes the row itself (the CLI's SettingsService is in that process, not this one).
    const elsewhere = openDatabase(file);
    const cliRepo = new SettingsRepo(elsewhere, () => new Date(0));
    expect(app.settings.get().orchestrator.quality_tier).toBe('balanced');
    await new Promise((resolve) => setImmediate(resolve));
    cliRepo.update(() => ({ patches: { orchestrator: { quality_tier: 'premium' } }, result: null }));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 3; i++) expect(app.settings.get().orchestrator.quality_tier).toBe('premium');
    app.db.close();
    elsewhere.close();
  });
});
