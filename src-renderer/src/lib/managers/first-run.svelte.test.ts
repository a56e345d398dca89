import { describe, expect, it } from 'vitest';
import type { QualityTier, SetupNeed, SetupPlans, TierPlan } from '$contract';
import { FakeApi, FakeError } from '../../../../test/renderer/fake-api';
import { download, installed, keysStatus, model, runSummary, settings, task } from '../../../../test/renderer/fixtures';
import { TIER_INFO } from '../tiers';
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
  it('settings that cannot be read settle it too: the Workbench then says what to do itself', async () => {
    const { fake, manager } = setup();
    fake.fail('settings:get', 'internal', 'The database is locked');
    await manager.load();
    expect([manager.visible, manager.settled]).toEqual([false, true]);
  });

  it('on first launch offers free and private, balanced and best, each with what it needs and a month’s cost', async () => {
    const { fake, manager } = setup();
    expect(manager.visible).toBe(false);
    // Not known yet: the Workbench waits before it offers its own "No model is ready yet" in the welcome's place.
    expect(manager.settled).toBe(false);
    await manager.load();
    expect(manager.visible).toBe(true);
    expect(manager.settled).toBe(true);
    expect(manager.options.map((o) => [o.title, o.plan.total_usd, o.plan.needs.map((n) => n.label)])).toEqual([
      ['Free and private', 0, ['Download Llama 3.2 3B — 2 GB, fits']],
      ['Balanced', 1.25, ['Add a DeepSeek key']],
      ['Best', 9.5, ['Add an OpenAI key']],
    ]);
    // Priced on a writer's sample month (no runs yet), limited to the tasks the host knows.
    expect(fake.inputsOf('orchestrator:plan')[0]).toEqual({ usage: { line_edit: 40, continuity_check: 10 } });
  });

  it('names each choice as Settings names its tier: one vocabulary, and the private one says what it is there', async () => {
    // The welcome said “Best” where Settings said “Premium”, and nothing tied “Free and private” to a tier.
    const { manager } = setup();
    await manager.load();
    for (const option of manager.options.filter((o) => o.id !== 'private'))
      expect(option.title).toBe(TIER_INFO[option.tier].label);
    const privately = manager.options.find((o) => o.id === 'private')!;
    expect(privately.blurb).toContain(`“${TIER_INFO.budget.label}” with “Keep everything on this Mac” on`);
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
    fake.answer('models:catalog', []);
    await manager.choose('private');
    expect(stored().orchestrator).toMatchObject({ quality_tier: 'budget', force_local: true });
    await manager.download('llama-3.2-3b');
    expect(fake.inputsOf('models:download')).toEqual([{ id: 'llama-3.2-3b' }]);
  });

  it('follows the download it started, as the Models screen does: progress, a failure with its retry, then set up', async () => {
    const { fake, manager } = setup();
    const done = { value: false };
    fake.answer('orchestrator:plan', (): SetupPlans => {
      const budget = plan('budget', done.value ? [] : [DOWNLOAD], 0);
      return { tiers: { budget, balanced: budget, premium: budget }, private: budget };
    });
    fake.answer('models:downloads', []);
    fake.answer('models:catalog', []);
    fake.answer('models:installed', []);
    fake.answer('models:resident', []);
    await manager.load();
    const stop = manager.listen();
    await manager.choose('private');
    expect(manager.downloadState(DOWNLOAD.catalog_id)).toEqual({ kind: 'none' });

    const started = download(DOWNLOAD.catalog_id, { catalog_id: DOWNLOAD.catalog_id, total: 2_000_000_000 });
    fake.answer('models:download', started);
    expect(await manager.download(DOWNLOAD.catalog_id)).toBe(true);
    expect(fake.inputsOf('models:download')).toEqual([{ id: DOWNLOAD.catalog_id }]);
    const tick = (received: number) =>
      fake.emit('download:progress', {
        id: DOWNLOAD.catalog_id,
        received,
        total: 2_000_000_000,
        bytes_per_s: 50_000_000,
        eta_s: (2_000_000_000 - received) / 50_000_000,
      });
    tick(500_000_000);
    expect(manager.downloadState(DOWNLOAD.catalog_id)).toEqual({
      kind: 'downloading',
      received: 500_000_000,
      total: 2_000_000_000,
      bytes_per_s: 50_000_000,
      eta_s: 30,
    });

    fake.emit('download:failed', {
      id: DOWNLOAD.catalog_id,
      name: 'Llama 3.2 3B',
      reason: 'stalled',
      message: 'The download stalled. Resume to continue from where it stopped.',
      retryable: true,
    });
    expect(manager.downloadState(DOWNLOAD.catalog_id)).toEqual({
      kind: 'failed',
      message: 'The download stalled. Resume to continue from where it stopped.',
      retry: 'Resume',
    });
    await fake.settled();
    expect(await manager.download(DOWNLOAD.catalog_id)).toBe(true);
    tick(2_000_000_000);
    // Every byte is in: the file is checked and test-loaded before it counts as installed.
    expect(manager.downloadState(DOWNLOAD.catalog_id)).toMatchObject({ kind: 'checking' });
    expect(manager.ready).toBe(false);

    done.value = true;
    fake.emit('download:done', { id: DOWNLOAD.catalog_id, name: 'Llama 3.2 3B', model: installed('llama-3.2-3b') });
    await fake.settled();
    expect(manager.ready).toBe(true);
    expect(manager.steps).toEqual([]);
    stop();
  });

  it('shows a download already under way (started before a reload, or on the Models screen) without a click', async () => {
    const { fake, manager } = setup();
    fake.answer('models:downloads', [
      download(DOWNLOAD.catalog_id, { catalog_id: DOWNLOAD.catalog_id, received: 400, total: 1000 }),
    ]);
    await manager.load();
    const stop = manager.listen();
    await fake.settled();
    expect(manager.downloadState(DOWNLOAD.catalog_id)).toMatchObject({ kind: 'downloading', received: 400 });
    stop();
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

  it('a writer whose runs have answered is past the welcome: closed, unless a step they chose is still to do', async () => {
    // The welcome stayed above the Workbench launch after launch for a writer who had set Quire up in Settings and had
    // been running tasks for weeks, still offering "Add an OpenRouter key", until they found "Not now".
    const answered = { runs: [runSummary('r2', { status: 'failed' }), runSummary('r1', { status: 'completed' })] };
    const own = setup();
    own.fake.answer('runs:list', answered);
    await own.manager.load();
    expect(own.manager.visible).toBe(false);
    expect(own.stored().setup.done).toBe(true);
    // Runs that all failed: the writer may still need the welcome's help.
    const failing = setup();
    failing.fake.answer('runs:list', { runs: [runSummary('r1', { status: 'failed' })] });
    await failing.manager.load();
    expect(failing.manager.visible).toBe(true);
    // A choice with a step still to do (its key) stays open, answers or not; once it is set up, it closes too.
    const keyAdded = { value: false };
    const chosen = setup(keyAdded);
    await chosen.manager.load();
    await chosen.manager.choose('balanced');
    chosen.fake.answer('runs:list', answered);
    await chosen.manager.load();
    expect(chosen.manager.visible).toBe(true);
    keyAdded.value = true;
    await chosen.manager.load();
    expect(chosen.manager.visible).toBe(false);
    expect(chosen.stored().setup.done).toBe(true);
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
