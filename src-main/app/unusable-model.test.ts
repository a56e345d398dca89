// A local model the writer added whose test load failed is listed as "Can't be used"; a run asked of it, its
// capabilities and the decision say so, and point to the Models screen, rather than calling it not downloaded.
import { describe, expect, it } from 'vitest';
import type { ProbeLauncher } from '../local/probe';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';

/** A test load that crashes, as llama.cpp aborting on a crafted header would. */
const crashing: ProbeLauncher = {
  start: () => ({
    exited: Promise.resolve({ code: null, signal: 'SIGABRT', stderr: 'GGML_ASSERT(hparams.n_rot > 0) failed\n' }),
    kill: () => undefined,
  }),
};

describe('a local model whose test load failed', () => {
  const testApp = useTestApp();
  const tempDir = useTempDir();

  async function withCrashedImport() {
    const h = await testApp.host({ local: { probe: crashing } });
    const imported = (await h.call('models:import', { path: tinyLlamaFixture({ seed: 5 }), name: 'Crashy' })).body;
    expect(imported.value).toMatchObject({ id: 'crashy', unusable: expect.stringMatching(/crashed/) });
    return { ...h, modelId: imported.value.registry_model_id as string };
  }

  it('is refused for a run with the reason a writer can act on, not "not downloaded"', async () => {
    const { call, modelId } = await withCrashedImport();
    const passage = 'The lamp was lit. She put it out.';
    const quote = (await call('runs:quote', { task: 'line_edit', input: passage, model: modelId })).body.value;
    const refused = (await call('runs:start', { task: 'line_edit', input: passage, model: modelId })).body;
    expect(refused.ok).toBe(false);
    for (const said of [quote.decision.reason, refused.error.message]) {
      expect(said).toMatch(/^The model you picked, Crashy, cannot run: it has not passed its test load/);
      expect(said).toMatch(/The Models screen says why/);
      expect(said).not.toMatch(/not downloaded|Download it/);
    }
  });

  it('is unavailable in the capabilities and the decision as unusable', async () => {
    const { call, modelId } = await withCrashedImport();
    const models = (await call('orchestrator:capabilities')).body.value.models as {
      id: string;
      available: boolean;
      unavailable_reason: string | null;
    }[];
    expect(models.find((m) => m.id === modelId)).toMatchObject({ available: false, unavailable_reason: 'unusable' });
    const decision = (await call('orchestrator:decide', { task: 'line_edit', local_only: true })).body.value;
    const candidate = decision.candidates.find((c: { model_id: string }) => c.model_id === modelId);
    expect(candidate.reasons).toContain('unusable');
    expect(candidate.reasons).not.toContain('not_downloaded');
  });

  it('whose test load has not ended yet is not said to have failed it', async () => {
    const dataDir = tempDir();
    // Added by a Quire that quit during its test load (or from before test loads): no verdict yet.
    const first = await testApp.host({ dataDir });
    const imported = (await first.call('models:import', { path: tinyLlamaFixture({ seed: 7 }), name: 'Fresh' })).body;
    await first.host.close();
    await first.app.close();
    // Quire starts again: its test load runs in the background, and has not ended.
    const stillLoading: ProbeLauncher = {
      start: () => ({ exited: new Promise(() => undefined), kill: () => undefined }),
    };
    const { call } = await testApp.host({ dataDir, local: { probe: stillLoading } });
    const passage = 'The lamp was lit.';
    const quote = (
      await call('runs:quote', { task: 'line_edit', input: passage, model: imported.value.registry_model_id })
    ).body.value;
    expect(quote.decision.reason).toMatch(/cannot run: it has not passed its test load/);
    expect(quote.decision.reason).toMatch(/or that its test load is still running/);
    expect(quote.decision.reason).not.toMatch(/failed/);
  });
});
