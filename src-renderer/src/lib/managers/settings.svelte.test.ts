import { describe, expect, it } from 'vitest';
import { withFakeApi } from '../../../../test/renderer/fake-api';
import { settings } from '../../../../test/renderer/fixtures';
import { SettingsManager } from './settings.svelte';

const setup = () => withFakeApi((api) => new SettingsManager(api));

describe('SettingsManager', () => {
  it('loads the stored settings', async () => {
    const { fake, manager } = setup();
    fake.answer(
      'settings:get',
      settings((s) => (s.orchestrator.quality_tier = 'premium')),
    );
    await manager.load();
    expect(manager.settings?.orchestrator.quality_tier).toBe('premium');
    expect(manager.loadError).toBeNull();
  });

  it('keeps the load error and shows no settings when the host cannot answer; a retry clears it', async () => {
    const { fake, manager } = setup();
    fake.fail('settings:get', 'storage_error', 'disk full');
    await manager.load();
    expect(manager.settings).toBeNull();
    expect(manager.loadError).toMatchObject({ code: 'storage_error', message: 'disk full' });
    fake.answer('settings:get', settings());
    await manager.load();
    expect(manager.loadError).toBeNull();
    expect(manager.settings).not.toBeNull();
  });

  it('saves a change, shows what the host stored and clears that field’s error', async () => {
    const { fake, manager } = setup();
    fake.answer('settings:get', settings());
    fake.answer('settings:set', (patch) => settings((s) => Object.assign(s.orchestrator, patch.orchestrator)));
    await manager.load();
    // The contract refuses it, as the host does ("orchestrator.monthly_budget: …").
    await expect(manager.update({ orchestrator: { monthly_budget: -1 } }, 'monthly_budget')).resolves.toBe(false);
    // The path prefix is the host's; the writer reads the sentence.
    expect(manager.fieldErrors).toEqual({
      monthly_budget: 'Monthly budget must be zero or more (leave it empty for no limit)',
    });
    expect(manager.settings?.orchestrator.monthly_budget).toBeNull();

    await expect(manager.update({ orchestrator: { monthly_budget: 20 } }, 'monthly_budget')).resolves.toBe(true);
    expect(manager.settings?.orchestrator.monthly_budget).toBe(20);
    expect(manager.fieldErrors).toEqual({});
    expect(fake.inputsOf('settings:set').at(-1)).toEqual({ orchestrator: { monthly_budget: 20 } });
  });

  it('follows settings changed elsewhere until unsubscribed', async () => {
    const { fake, manager } = setup();
    const off = manager.listen();
    fake.emit(
      'settings:changed',
      settings((s) => (s.runs.timeout_s = 30)),
    );
    expect(manager.settings?.runs.timeout_s).toBe(30);
    off();
    expect(fake.listenerCount('settings:changed')).toBe(0);
    fake.emit(
      'settings:changed',
      settings((s) => (s.runs.timeout_s = 99)),
    );
    expect(manager.settings?.runs.timeout_s).toBe(30);
  });

  it('never shows an older load over a newer one, nor over a saved change', async () => {
    const { fake, manager } = setup();
    await fake.answerLastFirst('settings:get', [
      [() => manager.load(), settings((s) => (s.runs.timeout_s = 1))],
      [() => manager.load(), settings((s) => (s.runs.timeout_s = 2))],
    ]);
    expect(manager.settings?.runs.timeout_s).toBe(2);

    // A load asked before a save must not undo what the save showed.
    const gets = fake.hold('settings:get');
    const third = manager.load();
    fake.answer(
      'settings:set',
      settings((s) => (s.runs.timeout_s = 3)),
    );
    await manager.update({ runs: { timeout_s: 3 } }, 'timeout_s');
    (await gets.next()).resolve(settings((s) => (s.runs.timeout_s = 2)));
    await third;
    expect(manager.settings?.runs.timeout_s).toBe(3);
  });

  it('clearError() and reset() forget errors and settings', async () => {
    const { fake, manager } = setup();
    fake.answer('settings:get', settings());
    fake.fail('settings:set', 'invalid_input', 'bad');
    await manager.load();
    await manager.update({ runs: { timeout_s: 5 } }, 'timeout_s');
    manager.clearError('timeout_s');
    expect(manager.fieldErrors).toEqual({});
    manager.reset();
    expect(manager.settings).toBeNull();
  });
});
