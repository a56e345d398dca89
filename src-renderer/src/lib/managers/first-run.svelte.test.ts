import { describe, expect, it } from 'vitest';
import type { QualityTier, SetupNeed, SetupPlans, TierPlan } from '$contract';
import { FakeApi, FakeError } from '../../../../test/renderer/fake-api';
import { keysStatus, model, settings, task } from '../../../../test/renderer/fixtures';
import { FirstRunManager } from './first-run.svelte';

const NOW = Date.parse('2026-03-15T12:00:00.000Z');
const KEY: SetupNeed & { kind: 'key' } = {
  kind: 'key',
  provider: 'deepseek',
  provider_name: 'DeepSeek',
  label: 'Add a DeepSeek key',
};
const DOWNLOAD: SetupNeed = {
  kind: 'download',
  catalog_id: 'llama-3.2-3b',
  display_name: 'Llama 3.2 3B',
  size_bytes: 2_000_000_000,
  fit: 'fits',
  label: 'Download Llama 3.2 3B — 2 GB, fits',
};

const plan = (tier: QualityTier, needs: SetupNeed[], total: number): TierPlan => ({
  tier,
  ready: needs.length === 0,
  needs,
  total_usd: total,
  picks: {},
});

function setup(keyAdded = { value: false }) {
  const fake = new FakeApi();
  let stored = settings();
  fake.answer('settings:get', () => stored);
  fake.answer('settings:set', (patch) => {
    stored = {
      ...stored,
      orchestrator: { ...stored.orchestrator, ...patch.orchestrator },
      setup: { ...stored.setup, ...patch.setup },
    };
    return stored;
  });
  fake.answer('orchestrator:capabilities', {
    models: [model('deepseek-chat', { available: false })],
    tasks: [task('coordinator'), task('line_edit'), task('continuity_check')],
  });
  fake.answer('runs:list', { runs: [] });
  fake.answer('orchestrator:plan', (): SetupPlans => ({
    tiers: {
      budget: plan('budget', [DOWNLOAD], 0),
      balanced: plan('balanced', keyAdded.value ? [] : [KEY], 1.25),
      premium: plan('premium', [{ ...KEY, provider: 'openai', label: 'Add an OpenAI key' }], 9.5),
    },
    private: plan('budget', [DOWNLOAD], 0),
  }));
  fake.answer('keys:set', ({ provider, api_key }) => {
    if (api_key.length < 8) throw new FakeError('invalid_input', 'api_key: That does not look like a DeepSeek key');
    keyAdded.value = true;
    return keysStatus({ [provider]: true }).keys[0]!;
  });
  // A key the provider takes; "sk-refused…" is one it refuses (HTTP 401).
  fake.answer('keys:test', ({ provider }) =>
    refused.value
      ? { provider, ok: false, message: 'DeepSeek refused the API key (HTTP 401).', reason: 'refused' as const }
      : unreachable.value
        ? { provider, ok: false, message: 'Quire could not reach DeepSeek.', reason: 'unreachable' as const }
        : { provider, ok: true, message: 'DeepSeek answered.' },
  );
  fake.answer('keys:delete', ({ provider }) => {
    keyAdded.value = false;
    return keysStatus({ [provider]: false }).keys[0]!;
  });
  const refused = { value: false };
  const unreachable = { value: false };
  return { fake, manager: new FirstRunManager(fake, () => NOW), stored: () => stored, refused, unreachable };
}

describe('FirstRunManager: the first-run setup', () => {
  it('on first launch offers free and private, balanced and best, each with what it needs and a month’s cost', async () => {
    const { fake, manager } = setup();
    expect(manager.visible).toBe(false);
    await manager.load();
    expect(manager.visible).toBe(true);
    expect(manager.options.map((o) => [o.title, o.plan.total_usd, o.plan.needs.map((n) => n.label)])).toEqual([
      ['Free and private', 0, ['Download Llama 3.2 3B — 2 GB, fits']],
      ['Balanced', 1.25, ['Add a DeepSeek key']],
      ['Best', 9.5, ['Add an OpenAI key']],
    ]);
    // Priced on a writer's sample month (no runs yet), limited to the tasks the host knows.
    expect(fake.inputsOf('orchestrator:plan')[0]).toEqual({ usage: { line_edit: 40, continuity_check: 10 } });
  });

  it('picking balanced turns automatic selection on at the balanced tier, then adding the key makes it ready', async () => {
    const { manager, stored } = setup();
    await manager.load();
    await manager.choose('balanced');
    expect(stored().orchestrator).toMatchObject({ enabled: true, quality_tier: 'balanced', force_local: false });
    expect(manager.chosen?.title).toBe('Balanced');
    expect(manager.steps).toEqual([KEY]);
    expect(manager.ready).toBe(false);
    expect(await manager.addKey('deepseek', '  sk-deepseek-0001  ')).toBe(true);
    expect(manager.ready).toBe(true);
    expect(manager.steps).toEqual([]);
  });

  it('free and private keeps everything on this machine and starts the download it names', async () => {
    const { fake, manager, stored } = setup();
    await manager.load();
    fake.answer('models:download', {
      id: 'llama-3.2-3b',
      name: 'Llama 3.2 3B',
      url: 'https://example.invalid/x.gguf',
      catalog_id: 'llama-3.2-3b',
      status: 'downloading',
      received: 0,
      total: 2_000_000_000,
      error: null,
    });
    await manager.choose('private');
    expect(stored().orchestrator).toMatchObject({ quality_tier: 'budget', force_local: true });
    await manager.download('llama-3.2-3b');
    expect(fake.inputsOf('models:download')).toEqual([{ id: 'llama-3.2-3b' }]);
  });

  it('a refused key says why in the writer’s words, without the field id', async () => {
    const { manager } = setup();
    await manager.load();
    await manager.choose('balanced');
    expect(await manager.addKey('deepseek', 'short')).toBe(false);
    expect(manager.error).toBe('That does not look like a DeepSeek key');
    expect(manager.ready).toBe(false);
  });

  it('a key the provider refuses is tested at once and not kept: the step stays, and the welcome says why', async () => {
    const { fake, manager, refused } = setup();
    await manager.load();
    await manager.choose('balanced');
    refused.value = true;
    expect(await manager.addKey('deepseek', 'sk-deepseek-bad-0001')).toBe(false);
    expect(fake.inputsOf('keys:test')).toEqual([{ provider: 'deepseek' }]);
    expect(fake.inputsOf('keys:delete')).toEqual([{ provider: 'deepseek' }]);
    expect(manager.error).toMatch(/^The key was not saved: DeepSeek refused the API key \(HTTP 401\)\./);
    expect(manager.ready).toBe(false);
    expect(manager.steps).toEqual([KEY]);
  });

  it('a key Quire could not check (no connection) is kept: set up, with a note saying so', async () => {
    const { fake, manager, unreachable } = setup();
    await manager.load();
    await manager.choose('balanced');
    unreachable.value = true;
    expect(await manager.addKey('deepseek', 'sk-deepseek-0001')).toBe(true);
    expect(fake.inputsOf('keys:delete')).toEqual([]);
    expect(manager.ready).toBe(true);
    expect(manager.error).toBeNull();
    expect(manager.note).toBe(
      'The key was saved, but Quire could not check it just now: Quire could not reach DeepSeek.',
    );
  });

  it('a choice the writer then changes by hand in Settings is closed: the welcome never says what is no longer so', async () => {
    const { fake, manager, stored } = setup();
    await manager.load();
    await manager.choose('private');
    expect(manager.chosen?.title).toBe('Free and private');
    // In Settings: "Keep everything on this Mac" off, Balanced picked.
    await fake.invoke('settings:set', { orchestrator: { force_local: false, quality_tier: 'balanced' } });
    await manager.load();
    expect(manager.visible).toBe(false);
    expect(stored().setup.done).toBe(true);
    // A choice the settings still match stays open until the writer closes it.
    const other = setup();
    await other.manager.load();
    await other.manager.choose('balanced');
    await other.manager.load();
    expect(other.manager.visible).toBe(true);
    expect(other.stored().setup.done).toBe(false);
  });

  it('once finished it is not shown again, and later launches do not ask for a plan', async () => {
    const { fake, manager } = setup();
    await manager.load();
    await manager.finish();
    expect(manager.visible).toBe(false);
    const again = new FirstRunManager(fake, () => NOW);
    const plansBefore = fake.countOf('orchestrator:plan');
    await again.load();
    expect(again.visible).toBe(false);
    expect(fake.countOf('orchestrator:plan')).toBe(plansBefore);
  });
});
