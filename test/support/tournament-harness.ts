// A tournament test file's setup: one loopback fake LLM server for the file (reset after each test), and the real app
// on a temporary data directory per call, every app a test opened closed after it.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ModelSpec, SettingsPatch } from '../../src-preload/contract';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server';
import { useTempDir } from './temp-dir';
import { tournamentApp, type TournamentApp } from './tournament-app';

/**
 * Registers the hooks; `started` hears of the fake server once it listens. Returns the app factory (on `registry`
 * unless a test gives its own).
 */
export function useTournamentHarness(
  registry: ModelSpec[],
  started: (fake: FakeLlmServer) => void,
): (settings?: SettingsPatch, models?: ModelSpec[]) => Promise<TournamentApp> {
  let fake: FakeLlmServer;
  beforeAll(async () => {
    fake = await startFakeLlmServer();
    started(fake);
  });
  afterAll(() => fake.close());
  const tempDir = useTempDir();
  const open: TournamentApp[] = [];
  afterEach(async () => {
    fake.reset();
    for (const h of open.splice(0)) await h.close();
  });
  return async (settings, models = registry) => {
    const h = await tournamentApp({ dataDir: tempDir(), fake, registry: models, ...(settings ? { settings } : {}) });
    open.push(h);
    return h;
  };
}
