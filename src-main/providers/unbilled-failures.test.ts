// Calls that provably never reached the provider are charged $0 and say what happened in a writer's words; a call that
// may have reached it is never sent again behind Quire's back: through a real run (the official SDK, the ledger's one
// rule), not by asserting on the mapper alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';
import { closedPort, startSelfSignedServer, type SelfSignedServer } from '../../test/support/self-signed-server';

const harness = useExecutionHarness();
// Dear enough that a kept worst case would show: 1,000 output tokens at $100 per million is $0.10.
const price = { input_usd_per_mtok: 100, output_usd_per_mtok: 100 };

let tls: SelfSignedServer;
beforeAll(async () => {
  tls = await startSelfSignedServer();
});
afterAll(() => tls.close());

/** `maxRetries`: the SDK's own retries (the harness turns them off; Quire ships 1). */
async function runAgainst(baseUrl: string, maxRetries = 0) {
  const h = await harness.host({ execution: { maxRetries } });
  const saved = await h.call('providers:save', {
    id: 'lan',
    kind: 'openai-compatible',
    base_url: baseUrl,
    models: [{ id: 'writer', quality: 9, ...price, strengths: ['narrative_continuity'] }],
  });
  expect(saved.body.ok).toBe(true);
  const run = await h.call('runs:start', {
    task: TASK,
    input: 'Check chapter 3.',
    model: 'lan/writer',
    max_output_tokens: 1000,
  });
  const spend = (await h.call('spend:current')).body.value as { spend_usd: number; reserved_usd: number };
  const runs = (await h.call('runs:list', {})).body.value.runs as { status: string; cost_usd: number }[];
  return { run: run.body, spend, runs };
}

describe('a call that never reached the provider costs nothing', () => {
  it('a TLS handshake failure (a self-signed certificate on a LAN endpoint): $0, "the certificate is not trusted"', async () => {
    const { run, spend, runs } = await runAgainst(`${tls.url}/v1`);
    expect(run.ok).toBe(false);
    expect(run.error.message).toMatch(/certificate .*is not trusted/);
    expect(run.error.message).toMatch(/self-signed/);
    expect(tls.requests).toBe(0);
    expect(spend).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
    expect(runs).toMatchObject([{ status: 'failed', cost_usd: 0 }]);
  });

  it('a port fetch refuses to use (undici’s bad ports, here 10080): $0, and says to use another port', async () => {
    const { run, spend, runs } = await runAgainst('http://127.0.0.1:10080/v1');
    expect(run.ok).toBe(false);
    expect(run.error.message).toMatch(/port 10080/);
    expect(run.error.message).toMatch(/another port/);
    expect(spend).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
    expect(runs).toMatchObject([{ status: 'failed', cost_usd: 0 }]);
  });

  it('a refused connection: $0, "refused the connection"', async () => {
    const port = await closedPort();
    const { run, spend } = await runAgainst(`http://127.0.0.1:${port}/v1`);
    expect(run.error.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} refused the connection`));
    expect(spend).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
  });

  it('a host name that does not resolve: $0, "Quire could not find <host>"', async () => {
    const { run, spend } = await runAgainst('http://quire-test.invalid/v1');
    // No such name (ENOTFOUND), or no name server answering at all offline (EAI_AGAIN): neither sent anything.
    expect(run.error.message).toMatch(/Quire could not (find|look up) quire-test\.invalid/);
    expect(spend).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
  });
});

// A request the provider received and then dropped without answering may have been billed. The SDK must not send it
// again on its own: that second request would be a call Quire never reserved for, and the first one's charge would be
// lost. The call keeps its reservation instead (the ledger's one rule). An HTTP error answer, which bills nothing, is
// still retried by the SDK.
describe('a connection lost after the request was sent', () => {
  const fake = () => harness.server();

  it('is not sent again by the SDK: one request, its reservation kept as its cost, and the run says so', async () => {
    fake().script('writer', { text: 'An answer.', outputTokens: 3, faults: [{ kind: 'drop' }] });
    const { run, spend } = await runAgainst(fake().openaiBaseUrl, 1);
    expect(fake().requests).toHaveLength(1);
    expect(run.ok).toBe(false);
    expect(run.error.message).toMatch(/The connection to 127\.0\.0\.1:\d+ broke before an answer came/);
    expect(run.error.message).toMatch(/may have reached your endpoint “lan” and been charged/);
    // Kept at its worst case (~$0.10), never $0 and never the price of a second request nobody reserved for.
    expect(spend.spend_usd).toBeGreaterThan(0.1);
    expect(spend.reserved_usd).toBe(0);
  });

  it('an HTTP error answer (nothing billed) is still retried by the SDK, and only the answer is charged', async () => {
    fake().script('writer', { text: 'An answer.', outputTokens: 3, faults: [{ kind: 'status', status: 503 }] });
    const { run, spend } = await runAgainst(fake().openaiBaseUrl, 1);
    expect(fake().requests).toHaveLength(2);
    expect(run.ok).toBe(true);
    expect(spend.spend_usd).toBeLessThan(0.01);
  });
});
