// A run is stored from its first reservation on: a process killed mid-call leaves the run (interrupted), not only
// its orphaned reservation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { startTsChild } from '../../test/support/processes';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';

const tempDir = useTempDir();
const testApp = useTestApp();
let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer({ port: 0 });
});
afterAll(() => server.close());

describe('runs across a crash', () => {
  it('a child killed with SIGKILL mid-call leaves its run, shown as interrupted by runs:list after restart, its reservation still counted', async () => {
    server.script('hangs', { alwaysFault: { kind: 'hang' } });
    const dataDir = tempDir();
    const reached = server.nextRequest('hangs');
    const child = startTsChild('test/fixtures/run-crash-child.ts', [dataDir, server.openaiBaseUrl]);
    // The call has reached the server: its reservation (and, with it, the run row) has committed.
    await Promise.race([
      reached,
      child.exited.then(() => Promise.reject(new Error(`child exited early: ${child.stderr()}`))),
    ]);
    child.kill();
    expect(await child.exited).toBe('SIGKILL');

    const h = await testApp.host({ dataDir, env: {} });
    const list = await h.call('runs:list', {});
    expect(list.body.value.runs).toHaveLength(1);
    const [run] = list.body.value.runs;
    expect(run).toMatchObject({ task: 'continuity_check', status: 'interrupted', model_id: 'crashy/hangs' });
    // Its own step, so the general one for an internal error ("Something unexpected went wrong…") is not added.
    expect(run.error).toEqual({
      code: 'internal',
      message:
        'Quire stopped during this run (a crash or a quit); what its calls may have been billed still counts. ' +
        'Run it again for its answer.',
      retryable: true,
      advised: true,
    });
    const filtered = await h.call('runs:list', { status: 'interrupted' });
    expect(filtered.body.value.runs.map((r: { run_id: string }) => r.run_id)).toEqual([run.run_id]);
    const month = h.app.services.ledger.month(h.app.services.ledger.monthOf(new Date()));
    expect(month.orphaned_usd).toBeGreaterThan(0);
    // The run shows what the ledger counts for it (its hold, which stays counted), not $0; the history's total agrees.
    expect(run.cost_usd).toBe(month.total_usd);
    const stats = await h.call('runs:stats', {});
    expect(stats.body.value.total_cost_usd).toBe(month.total_usd);
  });

  it('a tournament killed mid-flight is shown as stopped after restart, its cost what the ledger counts for it', async () => {
    server.reset();
    const findings = { findings: [] };
    server.script('answers', { json: findings, inputTokens: 900, outputTokens: 300 });
    server.script('hangs-b', { alwaysFault: { kind: 'hang' } });
    server.script('hangs-c', { alwaysFault: { kind: 'hang' } });
    const dataDir = tempDir();
    const answered = server.nextRequest('answers');
    const hanging = [server.nextRequest('hangs-b'), server.nextRequest('hangs-c')];
    const child = startTsChild('test/fixtures/tournament-crash-child.ts', [
      dataDir,
      server.openaiBaseUrl,
      server.anthropicBaseUrl,
    ]);
    // Every member's call has reached the server: the tournament, its holds and its member runs have committed.
    await Promise.race([
      Promise.all([answered, ...hanging]),
      child.exited.then(() => Promise.reject(new Error(`child exited early: ${child.stderr()}`))),
    ]);
    child.kill();
    expect(await child.exited).toBe('SIGKILL');

    const h = await testApp.host({ dataDir, env: {} });
    const list = (await h.call('tournaments:list', {})).body.value;
    expect(list).toHaveLength(1);
    const shown = (await h.call('tournaments:get', { tournament_id: list[0].id })).body.value;
    expect(shown).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/Quire stopped/) } });
    expect(shown.finished_at).not.toBeNull();
    // Its cost is every row the ledger counts under it (held calls that may have been billed stay counted): the month.
    const month = h.app.services.ledger.month(h.app.services.ledger.monthOf(new Date()));
    expect(month.orphaned_usd).toBeGreaterThan(0);
    expect(shown.cost_usd).toBe(month.total_usd);
    // Its members' repairs were held from the start but never asked for: no call was sent under them, so they count
    // neither as spent nor as calls. The history (one run per call made) adds up to the same month.
    const runs = (await h.call('runs:list', {})).body.value.runs as { cost_usd: number }[];
    expect(runs).toHaveLength(3);
    expect(month.by_model.reduce((sum, g) => sum + g.calls, 0)).toBe(runs.length);
    expect((await h.call('runs:stats', {})).body.value.total_cost_usd).toBe(month.total_usd);
  });
});
