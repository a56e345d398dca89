// A run in parts cut off by a crash keeps its finished parts, and goes on after them: a child process running a
// continuity check of a long manuscript is killed with SIGKILL while part 3 is with the provider; after a restart the
// run shows as interrupted with how far it got, and runs:resume sends only the parts not yet done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { continuityResponder } from '../../test/fixtures/continuity-fake';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { startTsChild } from '../../test/support/processes';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { JobsRepo } from '../manuscripts/jobs-repo';

const tempDir = useTempDir();
const testApp = useTestApp();
let server: FakeLlmServer;
beforeAll(async () => {
  server = await startFakeLlmServer({ port: 0 });
});
afterAll(() => server.close());

const RUN_ID = '0c6b3c55-7c39-4c87-a6a5-1f1f8f3f9d21';

describe('a run in parts across a crash', () => {
  it('keeps the parts done before the crash, and runs:resume goes on after them without paying for them again', async () => {
    // Parts 1 and 2 are answered; part 3 hangs at the provider until the process is killed.
    server.script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200, hangAfter: 2 });
    const dataDir = tempDir();
    const child = startTsChild('test/fixtures/job-run-crash-child.ts', [dataDir, server.openaiBaseUrl, RUN_ID]);
    const early = child.exited.then((signal) => {
      throw new Error(`the child exited (${signal}) before part 3 was asked: ${child.stderr()}`);
    });
    early.catch(() => undefined);
    while (server.requests.filter((r) => r.model === 'small').length < 3) {
      await Promise.race([server.nextRequest('small'), early]);
    }
    child.kill();
    expect(await child.exited).toBe('SIGKILL');

    // Quire starts again on the same data: the run was cut off, and says how far it got.
    server.script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const sentBefore = server.requests.length;
    const h = await testApp.host({ dataDir, env: {} });
    const record = (await h.call('runs:get', { run_id: RUN_ID })).body.value;
    const parts = new JobsRepo(h.app.services.db).get(RUN_ID)!.plan.parts.length;
    expect(parts).toBeGreaterThan(3);
    expect(record).toMatchObject({ status: 'interrupted', resume: { parts_done: 2, parts } });

    const resumed = (await h.call('runs:resume', { run_id: RUN_ID })).body;
    expect(resumed.value).toMatchObject({ run_id: RUN_ID, status: 'completed' });
    // Only the parts not done were asked (part 3 again, then the rest), and the planted contradiction is found across
    // the parts before and after the crash.
    expect(server.requests.length - sentBefore).toBe(parts - 2);
    expect(resumed.value.answer.findings).toHaveLength(1);
    // Its cost is what the month counts for its calls: part 3's hold from before the crash (orphaned: it may have
    // been billed) with the charges of every part settled.
    const counted = h.app.services.db
      .prepare(
        `SELECT SUM(CASE WHEN state IN ('reserved', 'orphaned') THEN reserved_micros ELSE COALESCE(charged_micros, 0) END)
           FROM ledger WHERE run_id LIKE ?`,
      )
      .pluck()
      .get(`${RUN_ID}/part/%`) as number;
    const orphaned = h.app.services.db
      .prepare(`SELECT COUNT(*) FROM ledger WHERE state = 'orphaned' AND run_id LIKE ?`)
      .pluck()
      .get(`${RUN_ID}/part/%`);
    expect(orphaned).toBe(1);
    expect(resumed.value.cost_usd).toBeCloseTo(counted / 1e6, 6);
    expect((await h.call('runs:get', { run_id: RUN_ID })).body.value.resume).toBeUndefined();
    // A finished run has nothing to resume.
    expect((await h.call('runs:resume', { run_id: RUN_ID })).body.error).toMatchObject({
      code: 'conflict',
      message: 'This run is already complete: there is nothing left to resume.',
    });
  });
});
