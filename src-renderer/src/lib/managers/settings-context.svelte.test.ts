import { describe, expect, it } from 'vitest';
import type { MachineInfo, RunStats } from '$contract';
import { withFakeApi } from '../../../../test/renderer/fake-api';
import { SettingsContextManager } from './settings-context.svelte';

const machine = (cpus: number): MachineInfo => ({
  cpus,
  total_memory_mb: 16_384,
  default_memory_budget_mb: 8192,
  default_threads: cpus - 2,
  default_models_dir: '/data/models',
});

const stats = (cacheHits: number, rate: number): RunStats => ({
  total_executions: 10,
  completed: 9,
  failed: 1,
  cancelled: 0,
  success_rate: 0.9,
  avg_latency_ms: 800,
  fallbacks_triggered: 0,
  conflicts_detected: 0,
  cache_hits: cacheHits,
  cache_hit_rate: rate,
  total_cost_usd: 0.5,
  model_usage: {},
});

const setup = () => withFakeApi((api) => new SettingsContextManager(api));

describe('SettingsContextManager', () => {
  it('shows the machine’s defaults and the cache’s hit count and rate', async () => {
    const { fake, manager } = setup();
    fake.answer('app:machine', machine(10)).answer('runs:stats', stats(4, 0.25));
    await manager.load();
    expect(manager.machine?.default_threads).toBe(8);
    expect(manager.cache).toEqual({ hits: 4, hitRate: 0.25 });
    expect(manager.error).toBeNull();
  });

  it('reports the error when either answer fails, and shows nothing half-loaded', async () => {
    const { fake, manager } = setup();
    fake.answer('app:machine', machine(10)).fail('runs:stats', 'storage_error', 'cannot read runs');
    await manager.load();
    expect(manager.error).toMatchObject({ code: 'storage_error', message: 'cannot read runs' });
    expect(manager.machine).toBeNull();
    expect(manager.cache).toBeNull();
  });

  it('shows the newest answer when an older one lands last; reset() forgets it all', async () => {
    const { fake, manager } = setup();
    fake.answer('runs:stats', stats(0, 0));
    await fake.answerLastFirst('app:machine', [
      [() => manager.load(), machine(4)],
      [() => manager.load(), machine(12)],
    ]);
    expect(manager.machine?.cpus).toBe(12);
    manager.reset();
    expect(manager.machine).toBeNull();
    expect(manager.cache).toBeNull();
  });
});
