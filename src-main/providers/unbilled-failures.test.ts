// Calls that provably never reached the provider are charged $0 and say what happened in a writer's words: through a
// real run (the official SDK, the ledger's one rule), not by asserting on the mapper alone.
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

async function runAgainst(baseUrl: string) {
  const h = await harness.host();
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
