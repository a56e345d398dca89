import { describe, expect, it } from 'vitest';
import { continuityResponder } from '../../test/fixtures/continuity-fake';
import { contradictionManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, TASK, useExecutionHarness, type ExecutionHost } from '../../test/support/execution-harness';

const harness = useExecutionHarness();
const price = { input_usd_per_mtok: 2, output_usd_per_mtok: 10 };

/** Who chose the model of each of a run's calls, as the ledger recorded it. */
function choosers(h: ExecutionHost, runId: string) {
  return h.app.services.ledger.ofRun(runId).map((row) => [row.model_id, row.chosen_by]);
}

async function studio(h: ExecutionHost) {
  await h.endpoint('studio', [
    { id: 'writer-large', quality: 9, ...price },
    { id: 'writer-small', quality: 7, input_usd_per_mtok: 0.5, output_usd_per_mtok: 1 },
  ]);
  for (const model of ['writer-large', 'writer-small']) {
    harness.server().script(model, { text: 'The timeline holds.', inputTokens: 1200, outputTokens: 300 });
  }
}

describe('the ledger records who chose each call’s model', () => {
  it('Quire’s routing for a run that named no model; the writer for a run that named one', async () => {
    const h = await harness.host();
    await studio(h);
    const routed = await h.call('runs:start', { task: TASK, input: 'Check chapter 3.' });
    expect(routed.body.value).toMatchObject({ status: 'completed', model_id: 'studio/writer-large' });
    expect(choosers(h, routed.body.value.run_id)).toEqual([['studio/writer-large', 'quire']]);
    // The Workbench's Model menu (or an app naming a model through the gateway) pins the model: the writer's choice.
    const pinned = await h.call('runs:start', { task: TASK, input: 'Check chapter 4.', model: 'studio/writer-small' });
    expect(pinned.body.value).toMatchObject({ status: 'completed', model_id: 'studio/writer-small' });
    expect(choosers(h, pinned.body.value.run_id)).toEqual([['studio/writer-small', 'writer']]);
    // What routing was worth compares Quire's pick alone; the writer's is said beside it.
    const month = h.app.services.ledger.monthOf(new Date());
    const value = (await h.call('spend:routing_value', { month })).body.value;
    expect(value).toMatchObject({
      calls: 1,
      actual_usd: (1200 * 2 + 300 * 10) / 1e6,
      writer_picks: { calls: 1, spend_usd: (1200 * 0.5 + 300 * 1) / 1e6 },
      unrecorded: { calls: 0, spend_usd: 0 },
    });
  });

  it('a pack’s mapping with automatic selection off is the writer’s choice; with it on, Quire’s', async () => {
    const h = await harness.host();
    await studio(h);
    await h.call('packs:save', { name: 'mine', copy_from: 'mixed', tasks: { [TASK]: 'studio/writer-small' } });
    await h.call('packs:activate', { name: 'mine' });
    await h.call('settings:set', { orchestrator: { enabled: false } });
    const packed = await h.call('runs:start', { task: TASK, input: 'Check chapter 5.' });
    expect(packed.body.value).toMatchObject({ status: 'completed', model_id: 'studio/writer-small' });
    expect(choosers(h, packed.body.value.run_id)).toEqual([['studio/writer-small', 'writer']]);
    await h.call('settings:set', { orchestrator: { enabled: true } });
    const auto = await h.call('runs:start', { task: TASK, input: 'Check chapter 6.' });
    expect(choosers(h, auto.body.value.run_id)).toEqual([['studio/writer-large', 'quire']]);
  });

  it('a run in parts is one decision: every part Quire’s, its resumed parts too (resuming names the model)', async () => {
    const h = await harness.host();
    await h.endpoint('ep', [endpointModel('small', 9, 8192)]);
    harness.server().script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e7a';
    const input = contradictionManuscript();
    const stop = h.app.events.subscribe((event) => {
      if (event.name === 'run:part' && event.payload.part === 2 && event.payload.phase === 'finished')
        void h.call('runs:cancel', { run_id: runId });
    });
    expect((await h.call('runs:start', { task: 'continuity_check', input, run_id: runId })).body.error).toMatchObject({
      code: 'cancelled',
    });
    stop();
    const parts = () =>
      h.app.services.db
        .prepare('SELECT chosen_by FROM ledger WHERE run_id LIKE ? ORDER BY id')
        .pluck()
        .all(`${runId}/part/%`) as string[];
    const before = parts().length;
    expect(before).toBeGreaterThanOrEqual(2);
    expect((await h.call('runs:resume', { run_id: runId })).body.value).toMatchObject({ status: 'completed' });
    expect(parts().length).toBeGreaterThan(before);
    expect(new Set(parts())).toEqual(new Set(['quire']));
  });
});
