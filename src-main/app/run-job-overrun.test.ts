// A run in parts on a model that charged more than its holds this month: the ledger holds each of its calls at that
// multiple, so the job's quote, its budget check and each part's share count it too, as a single run's do.
import { describe, expect, it } from 'vitest';
import { continuityResponder } from '../../test/fixtures/continuity-fake';
import { contradictionManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import { partRunId } from './run-job';

const h = useExecutionHarness();
const text = contradictionManuscript();
const SHORT = 'Mara’s eyes were green as sea glass. She walked to the harbour.';

/** A host whose ep/small was billed about three times what was held for one short run: an overrun this month. */
async function afterOverrun() {
  const host = await h.host();
  await host.endpoint('ep', [endpointModel('small', 9, 8192)]);
  const before = (await host.call('runs:quote', { task: 'continuity_check', input: text })).body.value;
  h.server().script('small', { json: { findings: [] }, inputTokens: 3_000, outputTokens: 6_000 });
  const short = await host.call('runs:start', { task: 'continuity_check', input: SHORT, model: 'ep/small' });
  expect(short.body.value.status).toBe('completed');
  const ratio = host.app.services.ledger.overrunRatios().get('ep/small') ?? 1;
  expect(ratio).toBeGreaterThan(2);
  h.server().script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
  return { host, before, ratio, sent: h.server().requests.length };
}

describe('a run in parts after its model overran its holds', () => {
  it("is quoted at the overrun's multiple, at least what its parts then hold", async () => {
    const { host, before, ratio } = await afterOverrun();
    const quote = (await host.call('runs:quote', { task: 'continuity_check', input: text })).body.value;
    expect(quote.parts).toBe(before.parts);
    expect(quote.total_usd).toBeCloseTo(before.total_usd * ratio, 4);
    const run = (await host.call('runs:start', { task: 'continuity_check', input: text })).body.value;
    expect(run.status).toBe('completed');
    const held = host.app.services.db.prepare('SELECT reserved_micros FROM ledger WHERE run_id = ?').pluck();
    let micros = 0;
    for (let k = 1; k <= quote.parts; k++) micros += held.get(partRunId(run.run_id, k)) as number;
    expect(micros / 1e6).toBeLessThanOrEqual(quote.total_usd);
  });

  it("a part's unreadable answer is still asked again, as its quote promised", async () => {
    const { host, sent } = await afterOverrun();
    h.server().script('small', {
      respond: continuityResponder(),
      replies: [{ text: 'not json at all' }],
      inputTokens: 3000,
      outputTokens: 200,
    });
    const quote = (await host.call('runs:quote', { task: 'continuity_check', input: text })).body.value;
    const started = await host.call('runs:start', { task: 'continuity_check', input: text });
    expect(started.body.error).toBeUndefined();
    expect(started.body.value).toMatchObject({ status: 'completed' });
    expect(h.server().requests.length - sent).toBe(quote.parts + 1);
  });

  it('is checked against the budget at that multiple before part 1', async () => {
    const { host, before, sent } = await afterOverrun();
    const spent = host.app.services.ledger.snapshot(new Date()).spent_usd;
    // Room for the job as quoted before the overrun, not at its multiple.
    host.app.services.settings.set({ orchestrator: { monthly_budget: spent + before.total_usd * 1.5 } });
    const started = await host.call('runs:start', { task: 'continuity_check', input: text });
    expect(started.body.error).toMatchObject({ code: 'budget_exceeded' });
    expect(started.body.error.message).toMatch(
      /runs in \d+ parts on small \(ep\), which may cost up to .+Nothing was run/,
    );
    expect(h.server().requests.length).toBe(sent);
  });
});
