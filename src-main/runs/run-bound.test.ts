// The quote's "at most" is a bound on everything a run spends: its call, its one retry of an unreadable answer, and
// any fallback, over the real host, SDKs and ledger against the loopback fake. Randomised over failure sequences.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingsAnswer } from '../../test/support/findings-answer';
import type { FakeFault } from '../../test/support/fake-llm-server';
import { type ExecutionHost, useExecutionHarness } from '../../test/support/execution-harness';

const harness = useExecutionHarness();
const TASK = 'continuity_check';
const PASSAGE =
  'Chapter 3. Mara pushed the hair from her green eyes and watched the harbour.\n\nChapter 12. Her blue eyes flashed.';
const GOOD = findingsAnswer("Mara's eyes change colour", 'Her blue eyes flashed');

/**
 * Premium picks by quality: ep-a/gpt-x first, then ep-b/claude-y (ten times its price) and ep-c/deepseek-z (a tenth)
 * as its fallbacks.
 */
async function threePrices(): Promise<ExecutionHost> {
  const host = await harness.host();
  await host.endpoint('ep-a', [{ id: 'gpt-x', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 4 }]);
  await host.endpoint('ep-b', [{ id: 'claude-y', quality: 8.8, input_usd_per_mtok: 10, output_usd_per_mtok: 40 }]);
  await host.endpoint('ep-c', [{ id: 'deepseek-z', quality: 8.5, input_usd_per_mtok: 0.1, output_usd_per_mtok: 0.4 }]);
  return host;
}

async function quoted(
  host: ExecutionHost,
): Promise<{ kind: string; at_most_usd: number; retry: boolean; set_by: string | null }> {
  return (await host.call('runs:quote', { task: TASK, input: PASSAGE })).body.value;
}

/** What the ledger holds for the run's calls: settled charges and kept reservations, nothing still reserved. */
async function spent(host: ExecutionHost): Promise<number> {
  const current = (await host.call('spend:current')).body.value;
  expect(current.reserved_usd).toBe(0);
  return current.spend_usd;
}

describe("a run's spend stays within its quote", () => {
  it('the quote covers the answer and one retry of a structured task; a prose task has no retry', async () => {
    const host = await threePrices();
    const quote = await quoted(host);
    expect(quote).toMatchObject({ kind: 'single', retry: true });
    const prose = (await host.call('runs:quote', { task: 'scene_draft', input: PASSAGE })).body.value;
    expect(prose).toMatchObject({ kind: 'single', retry: false });
    expect(prose.at_most_usd).toBeGreaterThan(0);
  });

  it('the quote covers the dearest model the run may fall back to: after a $0 failure it runs', async () => {
    const host = await threePrices();
    const server = harness.server();
    const single = await quoted(host);
    // claude-y (ten times gpt-x's price) is a fallback: the quote is its answer and retry, and says so.
    expect(single.set_by).toBe('ep-b/claude-y');
    const forced = (await host.call('runs:quote', { task: TASK, input: PASSAGE, model: 'ep-c/deepseek-z' })).body.value;
    expect(forced).toMatchObject({ kind: 'single', set_by: 'ep-c/deepseek-z' });
    server.script('gpt-x', { faults: [{ kind: 'status', status: 500 }] });
    server.script('claude-y', { json: GOOD });
    const { body } = await host.call('runs:start', { task: TASK, input: PASSAGE });
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'ep-b/claude-y' });
    expect(body.value.cost_usd).toBeLessThanOrEqual(single.at_most_usd);
  });

  it('a fallback that would pass the quote after charged failures is not made; the run says why', async () => {
    const host = await harness.host();
    for (const [endpoint, id, quality] of [
      ['ep-a', 'gpt-x', 9],
      ['ep-b', 'claude-y', 8.8],
      ['ep-c', 'deepseek-z', 8.5],
    ] as const)
      await host.endpoint(endpoint, [{ id, quality, input_usd_per_mtok: 1, output_usd_per_mtok: 4 }]);
    const server = harness.server();
    // Two calls accepted and broken mid-answer keep their reservations (usage unknown): a third call no longer fits.
    server.script('gpt-x', { faults: [{ kind: 'reset', afterTokens: 1 }], text: 'one two three' });
    server.script('claude-y', { faults: [{ kind: 'reset', afterTokens: 1 }], text: 'one two three' });
    server.script('deepseek-z', { json: GOOD });
    const quote = await quoted(host);
    const { body } = await host.call('runs:start', { task: TASK, input: PASSAGE, stream: true });
    expect(body.ok).toBe(false);
    expect(body.error.message).toMatch(
      /^claude-y \(ep-b\) failed \(.+\), and deepseek-z \(ep-c\) was not tried in its place: it could cost up to \$[\d.]+, and with \$[\d.]+ already charged that is more than the \$[\d.]+ this run was quoted at most/,
    );
    // The message ends with its own step ("Try again (the new quote covers it), or choose another model"): no other.
    expect(body.error.advised).toBe(true);
    expect(server.requests.map((r) => r.model)).toEqual(['gpt-x', 'claude-y']);
    const run = (await host.call('runs:list', { limit: 1 })).body.value.runs[0];
    expect(run.cost_usd).toBeGreaterThan(0);
    expect(run.cost_usd).toBeLessThanOrEqual(quote.at_most_usd);
    expect(await spent(host)).toBeCloseTo(run.cost_usd, 9);
  });

  it('a retry that no longer fits (the first call cost more than its worst case) is not asked; the run says why', async () => {
    const host = await threePrices();
    const server = harness.server();
    // The provider counts far more input than reserved for: an overrun, charged in full, leaves no room to retry.
    server.script('gpt-x', { replies: [{ text: 'Here are the findings: none' }], json: GOOD, inputTokens: 5_000_000 });
    const { body } = await host.call('runs:start', { task: TASK, input: PASSAGE });
    expect(body.ok).toBe(false);
    expect(body.error.message).toMatch(/answer could not be read .*asking it once more could cost up to/);
    expect(body.error.message).toMatch(/so Quire did not ask\. Its answer was not used, so nothing changed/);
    expect(body.error.advised).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('randomised: whatever fails and however, the run is charged no more than quoted', async () => {
    const host = await threePrices();
    const server = harness.server();
    const call = fc.constantFrom('good', 'unreadable', 'free-failure', 'charged-failure', 'cut-at-length');
    await fc.assert(
      fc.asyncProperty(fc.tuple(fc.array(call, { maxLength: 3 }), fc.array(call, { maxLength: 3 })), async (plan) => {
        server.reset();
        for (const [model, calls] of [
          ['gpt-x', plan[0]],
          ['claude-y', plan[1]],
          ['deepseek-z', plan[1]],
        ] as const) {
          const faults: FakeFault[] = [];
          const replies: { text?: string; json?: unknown }[] = [];
          for (const c of calls) {
            // A fault answers one request and a reply the next one, so each call is scripted as one or the other.
            if (c === 'free-failure') faults.push({ kind: 'status', status: 500 });
            else if (c === 'charged-failure') faults.push({ kind: 'reset', afterTokens: 1 });
            else break;
          }
          for (const c of calls.slice(faults.length))
            replies.push(c === 'good' ? { json: GOOD } : { text: 'not json' });
          server.script(model, { faults, replies, json: GOOD, truncated: calls[faults.length] === 'cut-at-length' });
        }
        const quote = await quoted(host);
        const before = (await host.call('spend:current')).body.value.spend_usd;
        const { body } = await host.call('runs:start', { task: TASK, input: PASSAGE, stream: true });
        const run = body.ok ? body.value : (await host.call('runs:list', { limit: 1 })).body.value.runs[0];
        expect(run.cost_usd).toBeLessThanOrEqual(quote.at_most_usd + 1e-6);
        expect((await spent(host)) - before).toBeLessThanOrEqual(quote.at_most_usd + 1e-6);
      }),
      { numRuns: 25, seed: 1207 },
    );
  });
});
