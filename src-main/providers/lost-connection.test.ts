// A request the provider received and then dropped without answering may have been billed. The SDK must not send it
// again on its own: that second request would be a call Quire never reserved for, and the first one's charge would be
// lost. The call keeps its reservation instead (the ledger's one rule), and the run moves on or fails with it. A
// request that provably billed nothing (an HTTP error answer) is still retried by the SDK.
import { describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';

const harness = useExecutionHarness();
// Dear enough that a kept worst case shows: 1,000 output tokens at $100 per million is $0.10.
const writer = { id: 'writer', quality: 9, input_usd_per_mtok: 100, output_usd_per_mtok: 100 };

async function runOnce(fault: Parameters<ReturnType<typeof harness.server>['script']>[1]['faults']) {
  // The SDK's own retries as Quire ships them (the harness turns them off elsewhere).
  const h = await harness.host({ execution: { maxRetries: 1 } });
  await h.endpoint('lan', [writer]);
  harness.server().script('writer', { text: 'An answer.', outputTokens: 3, faults: fault });
  const run = await h.call('runs:start', {
    task: TASK,
    input: 'Check chapter 3.',
    model: 'lan/writer',
    max_output_tokens: 1000,
  });
  const spend = (await h.call('spend:current')).body.value as { spend_usd: number; reserved_usd: number };
  return { run: run.body, spend, requests: harness.server().requests.length };
}

describe('a connection lost after the request was sent', () => {
  it('is not sent again by the SDK: one request, its reservation kept as its cost, and the run says so', async () => {
    const { run, spend, requests } = await runOnce([{ kind: 'drop' }]);
    expect(requests).toBe(1);
    expect(run.ok).toBe(false);
    expect(run.error.message).toMatch(/The connection to 127\.0\.0\.1:\d+ broke before an answer came/);
    expect(run.error.message).toMatch(/may have reached your endpoint “lan” and been charged/);
    // Kept at its worst case (~$0.10), never $0 and never the price of a second request nobody reserved for.
    expect(spend.spend_usd).toBeGreaterThan(0.1);
    expect(spend.reserved_usd).toBe(0);
  });

  it('an HTTP error answer (nothing billed) is still retried by the SDK, and only the answer is charged', async () => {
    const { run, spend, requests } = await runOnce([{ kind: 'status', status: 503 }]);
    expect(requests).toBe(2);
    expect(run.ok).toBe(true);
    expect(spend.spend_usd).toBeLessThan(0.01);
  });
});
