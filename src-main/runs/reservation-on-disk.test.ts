// A call's reservation is on disk before a byte goes to the provider. The request is prepared while the reservation's
// fsync runs (the SDK's fetch waits for it), and a failed fsync stops the call before anything is sent. A call taken
// out of the process's standing hold (ledger/standing-hold.ts) is covered on disk already, and goes at once.
import { describe, expect, it } from 'vitest';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';
import { heldDisk } from '../../test/support/held-disk';

const harness = useExecutionHarness();
const price = { input_usd_per_mtok: 2, output_usd_per_mtok: 10 };

/** The fetch under the SDKs (after Quire's own wrappers): a call reaching it is a request on its way out. */
function countingFetch() {
  const sent: string[] = [];
  return { sent, fetch: ((input, init) => (sent.push(String(input)), fetch(input, init))) as typeof fetch };
}

describe("a call's reservation on disk before anything is sent", () => {
  for (const kind of ['openai-compatible', 'anthropic'] as const) {
    it(`${kind}: nothing reaches the provider while the reservation's fsync runs; it goes once it is on disk`, async () => {
      const d = heldDisk({ held: true });
      const wire = countingFetch();
      const h = await harness.host({ execution: { durableSync: d.sync, fetch: wire.fetch } });
      try {
        // Saving the endpoint commits nothing through the group commit; the run's reservation is its first fsync.
        await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }], { kind });
        harness.server().script('writer-large', { text: 'The door stays blue.', inputTokens: 20, outputTokens: 5 });
        const synced = d.nextSync();
        const running = h.app.services.runs.start({ task: TASK, input: 'Check chapter 3.' });
        await synced;
        const ledger = () =>
          h.app.services.db.prepare('SELECT state FROM ledger ORDER BY id').pluck().all() as string[];
        expect(ledger()).toEqual(['reserved']); // committed: every process's budget check counts it
        // Let the SDK build its request as far as it can go: it waits at the fetch.
        for (let turn = 0; turn < 20; turn++) await new Promise((r) => setImmediate(r));
        expect(wire.sent).toEqual([]);
        expect(harness.server().requests).toHaveLength(0);

        d.release();
        const record = await running;
        expect(record).toMatchObject({ status: 'completed', text: 'The door stays blue.' });
        expect(wire.sent).toHaveLength(1);
        expect(ledger()).toEqual(['settled']);
      } finally {
        d.release();
      }
    });
  }

  it('a later call, taken out of the standing hold already on disk, is sent while its own commit goes to disk', async () => {
    const d = heldDisk({ held: true });
    d.release();
    const wire = countingFetch();
    const h = await harness.host({ execution: { durableSync: d.sync, fetch: wire.fetch } });
    try {
      await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }]);
      for (const text of ['The door stays blue.', 'The cat is grey.'])
        harness.server().script('writer-large', { text, inputTokens: 20, outputTokens: 5 });
      await h.app.services.runs.start({ task: TASK, input: 'Check chapter 3.' });
      await h.app.services.ledger.heldAhead();
      d.hold();
      const synced = d.nextSync();
      const running = h.app.services.runs.start({ task: TASK, input: 'Check chapter 4.' });
      await synced; // the second call's own commit is on its way to disk, and stays there
      await expect.poll(() => harness.server().requests.length).toBe(2);
      expect(wire.sent).toHaveLength(2);
      d.release();
      expect(await running).toMatchObject({ status: 'completed', text: 'The cat is grey.' });
      expect(h.app.services.db.prepare('SELECT state FROM ledger ORDER BY id').pluck().all()).toEqual([
        'settled',
        'settled',
      ]);
    } finally {
      d.release();
    }
  });

  it('a reservation the disk could not keep: the call is not sent, its hold is released, and the provider is not blamed', async () => {
    const d = heldDisk({ held: true });
    d.release();
    const wire = countingFetch();
    const h = await harness.host({ execution: { durableSync: d.sync, fetch: wire.fetch } });
    await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }]);
    harness.server().script('writer-large', { text: 'Never sent.', inputTokens: 20, outputTokens: 5 });
    d.failNextSync();
    const failure = await h.app.services.runs.start({ task: TASK, input: 'Check chapter 3.' }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'storage_error',
      // Its own step ends it: not followed by the general "check free disk space and permissions".
      advised: true,
      message: expect.stringMatching(
        /^Quire could not save this call's cost reservation to disk, so nothing was sent to [^:]+\. Check/,
      ),
    });
    expect(wire.sent).toEqual([]);
    expect(harness.server().requests).toHaveLength(0);
    expect(h.app.services.db.prepare('SELECT state, charged_micros FROM ledger').all()).toEqual([
      { state: 'released', charged_micros: 0 },
    ]);
    // No call was made: Spend counts none.
    expect(h.app.services.ledger.month(h.app.services.ledger.snapshot(new Date()).month).by_model).toEqual([]);
    const { providers } = (await h.call('providers:health')).body.value as {
      providers: { provider: string; failure_count: number }[];
    };
    expect(providers.every((p) => p.failure_count === 0)).toBe(true);
  });
  it('a run stopped while its reservation goes to disk sends nothing and is charged nothing (it kept the whole hold)', async () => {
    const d = heldDisk({ held: true });
    const wire = countingFetch();
    const h = await harness.host({ execution: { durableSync: d.sync, fetch: wire.fetch } });
    try {
      await h.endpoint('studio', [{ id: 'writer-large', quality: 9, ...price }]);
      harness.server().script('writer-large', { text: 'Never sent.', inputTokens: 20, outputTokens: 5 });
      const runId = '0a0b0c0d-0000-4000-8000-000000000001';
      const synced = d.nextSync();
      const running = h.app.services.runs.start({ task: TASK, input: 'Check chapter 3.', run_id: runId });
      await synced;
      expect(h.app.services.runs.cancel(runId)).toBe(true);
      d.release();
      const record = await running.catch((e: unknown) => e);
      expect(record).toMatchObject({ code: 'cancelled' });
      expect(wire.sent).toEqual([]);
      const spend = h.app.services.ledger.snapshot(new Date());
      expect([spend.spent_usd, spend.reserved_usd]).toEqual([0, 0]);
      expect(h.app.services.db.prepare('SELECT state FROM ledger').pluck().all()).toEqual(['released']);
      expect(h.app.services.ledger.month(spend.month).by_model).toEqual([]);
    } finally {
      d.release();
    }
  });
});
