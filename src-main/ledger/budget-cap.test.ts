// The cap holds against the provider's own counts (issue 15.1), through the real stack: the official SDKs against the
// loopback fake, the run service, the ledger. A provider that counts far more input than Quire reserved for is charged
// in full, the overrun is recorded and announced, and the next run that would pass the cap is refused before any call;
// non-prose input is reserved at no less than a real tokenizer's count, and the output bound is always sent.
import { countTokens as cl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { TASK, useExecutionHarness } from '../../test/support/execution-harness';
import { textSamples } from '../../test/fixtures/text-samples';

const harness = useExecutionHarness();

describe('the cap holds against the provider', () => {
  it('the provider over-reports input (3,000 tokens against ~116 estimated): the overrun is recorded, announced and blocks the next run past the cap', async () => {
    const h = await harness.host();
    await h.call('settings:set', { orchestrator: { monthly_budget: 1 } });
    // $300 per million input tokens: the few hundred tokens Quire counts (the task's instruction and the passage) hold
    // under $0.20; the 3,000 reported cost $0.90.
    await h.endpoint('studio', [{ id: 'liar', quality: 9, input_usd_per_mtok: 300, output_usd_per_mtok: 0.001 }]);
    harness.server().script('liar', { text: 'The timeline holds.', inputTokens: 3000, outputTokens: 4 });
    const events: PushedEvent[] = [];
    h.app.events.subscribe((e) => events.push(e));

    const first = await h.call('runs:start', { task: TASK, input: 'Is Anna still in Paris in chapter four?' });
    expect(first.body.value).toMatchObject({ status: 'completed', input_tokens: 3000 });
    const ledger = h.app.services.ledger;
    const [row] = h.app.services.db.prepare('SELECT * FROM ledger').all() as {
      id: number;
      reserved_micros: number;
      charged_micros: number;
      overrun_micros: number;
    }[];
    expect(row!.reserved_micros).toBeLessThan(200_000);
    expect(row!.charged_micros).toBe(900_001);
    expect(row!.overrun_micros).toBe(row!.charged_micros - row!.reserved_micros);
    const overrun = events.find((e) => e.name === 'spend:overrun');
    expect(overrun?.payload).toMatchObject({ ledger_id: row!.id, model_id: 'studio/liar', charged_usd: 0.900001 });

    // The same run again would be held at the overrun's multiple ($0.90): past the $1 cap, refused before any call.
    const second = await h.call('runs:start', { task: TASK, input: 'Is Anna still in Paris in chapter four?' });
    expect(second.body.ok && second.body.value.status === 'completed').toBe(false);
    expect(JSON.stringify(second.body)).toMatch(/budget/i);
    expect(harness.server().requests).toHaveLength(1);
    const month = ledger.month(ledger.monthOf(new Date()));
    expect(month.total_usd).toBeLessThanOrEqual(1);
    expect(month.reserved_usd).toBe(0);
  });

  it.each(['digits', 'punctuation', 'base64'])(
    'non-prose inputs (%s) are reserved at no less than a real tokenizer count of what was sent, with the output bound sent',
    async (kind) => {
      const h = await harness.host();
      // $1,000 per million input tokens and nothing for output: the hold in micro-USD / 1,000 is the input tokens held.
      await h.endpoint('studio', [{ id: 'counted', quality: 9, input_usd_per_mtok: 1000, output_usd_per_mtok: 0 }]);
      harness.server().script('counted', { text: 'ok', inputTokens: 10, outputTokens: 1 });
      const input = textSamples(5, 3000)[kind]!;
      const run = await h.call('runs:start', { task: TASK, input });
      expect(run.body.value).toMatchObject({ status: 'completed' });

      const sent = harness.server().requests[0]!.body as { messages: { content: string }[]; max_tokens?: number };
      expect(sent.max_tokens).toBeGreaterThan(0);
      // What a real tokenizer counts for the request as sent: each message, plus OpenAI's framing (3 per message, 3
      // per reply).
      const real = (count: (text: string) => number) => sent.messages.reduce((sum, m) => sum + count(m.content) + 3, 3);
      const [row] = h.app.services.db.prepare('SELECT reserved_micros FROM ledger').all() as {
        reserved_micros: number;
      }[];
      const heldTokens = row!.reserved_micros / 1000;
      expect(heldTokens).toBeGreaterThanOrEqual(real(o200k));
      expect(heldTokens).toBeGreaterThanOrEqual(real(cl100k));
    },
  );

  it('the Anthropic adapter always sends max_tokens, the bound the reservation used', async () => {
    const h = await harness.host();
    await h.endpoint('claude-like', [{ id: 'bounded', quality: 9, input_usd_per_mtok: 0, output_usd_per_mtok: 1000 }], {
      kind: 'anthropic',
    });
    const run = await h.call('runs:start', { task: TASK, input: 'Is Anna still in Paris?' });
    expect(run.body.value).toMatchObject({ status: 'completed' });
    const sent = harness.server().requests[0]!.body as { max_tokens: number };
    const [row] = h.app.services.db.prepare('SELECT reserved_micros FROM ledger').all() as {
      reserved_micros: number;
    }[];
    // $1,000 per million output tokens and nothing for input: the hold is exactly the output bound that was sent.
    expect(sent.max_tokens).toBeGreaterThan(0);
    expect(row!.reserved_micros).toBeGreaterThanOrEqual(sent.max_tokens * 1000);
  });
});
