// A model that declines a passage (its own refusal, or its provider's content filter) and an answer whose allowance ran
// out before it was written (a reasoning model that spent it all thinking): never stored as a completed answer, never
// repaired at a second price, always charged what the provider billed. Over the real host, SDKs and ledger against
// the loopback fake.
import { describe, expect, it } from 'vitest';
import { endpointModel, type ExecutionHost, useExecutionHarness } from '../../test/support/execution-harness';
import { findingsAnswer } from '../../test/support/findings-answer';

const harness = useExecutionHarness();
const PASSAGE = '# Chapter 1\n\nMara pushed the hair from her green eyes.\n\n# Chapter 2\n\nHer blue eyes flashed.';
const GOOD = findingsAnswer("Mara's eyes change colour", 'Her blue eyes flashed');
const SORRY = "I'm sorry, I can't help with that.";

/** Premium picks by quality: ep-a/gpt-x, then ep-b/claude-y and ep-c/deepseek-z as its fallbacks. */
async function threeModels(): Promise<ExecutionHost> {
  const host = await harness.host();
  await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
  await host.endpoint('ep-b', [endpointModel('claude-y', 8.8)]);
  await host.endpoint('ep-c', [endpointModel('deepseek-z', 8.5)]);
  return host;
}

/** The run as stored, whole (a failed run's is not in runs:start's answer). */
async function lastRun(host: ExecutionHost) {
  const { run_id } = (await host.call('runs:list', { limit: 1 })).body.value.runs[0];
  return (await host.call('runs:get', { run_id })).body.value;
}

/** What the ledger holds: settled charges and kept reservations, nothing still reserved. */
async function spent(host: ExecutionHost): Promise<number> {
  const current = (await host.call('spend:current')).body.value;
  expect(current.reserved_usd).toBe(0);
  return current.spend_usd;
}

describe('a model that declines a passage', () => {
  it.each(['openai-compatible', 'anthropic'] as const)(
    'a scene its content filter stopped before a word is a failed run that says so, charged what was billed (%s)',
    async (kind) => {
      const host = await harness.host();
      await host.endpoint('ep-a', [endpointModel('gpt-x', 9)], { kind });
      harness.server().script('gpt-x', { text: '', filtered: true, inputTokens: 100, outputTokens: 5 });
      const { body } = await host.call('runs:start', { task: 'scene_draft', input: PASSAGE, model: 'ep-a/gpt-x' });
      expect(body.ok).toBe(false);
      expect(body.error.message).toMatch(/^gpt-x \(ep-a\) declined this passage \(its content filter stopped it\)\./);
      expect(body.error.message).toMatch(/Choose another model or quality tier for it\.$/);
      const run = await lastRun(host);
      expect(run).toMatchObject({ status: 'failed', model_id: null });
      // 100 in at $1 and 5 out at $4 per million: what the provider billed, settled.
      expect(run.cost_usd).toBeCloseTo((100 * 1 + 5 * 4) / 1e6, 9);
      expect(await spent(host)).toBeCloseTo(run.cost_usd, 9);
    },
  );

  it('an answer cut partway by the content filter keeps its text and says plainly it was cut; it is not cached', async () => {
    const host = await harness.host();
    await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
    harness.server().script('gpt-x', { text: 'Mara opened the letter and', filtered: true });
    // Chat messages at the default temperature: a run the answer cache would keep.
    const start = { task: 'scene_draft', input: [{ role: 'user', content: PASSAGE }], model: 'ep-a/gpt-x' };
    const { body } = await host.call('runs:start', start);
    expect(body.value).toMatchObject({ status: 'completed', text: 'Mara opened the letter and', truncated: false });
    expect(body.value.error.message).toMatch(
      /^gpt-x \(ep-a\)'s content filter cut this answer off partway: what it wrote before that is kept, but the rest is missing\./,
    );
    const stored = (await host.call('runs:get', { run_id: body.value.run_id })).body.value;
    expect(stored.error.message).toBe(body.value.error.message);
    const again = await host.call('runs:start', start);
    expect(again.body.value.cache_hit).toBe(false);
    expect(harness.server().requests).toHaveLength(2);
  });

  it("an OpenAI structured-output refusal is not asked again: one paid request, the run gives the model's words", async () => {
    const host = await harness.host();
    await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
    harness.server().script('gpt-x', { refusal: SORRY, inputTokens: 100, outputTokens: 9 });
    const { body } = await host.call('runs:start', { task: 'continuity_check', input: PASSAGE, model: 'ep-a/gpt-x' });
    expect(body.ok).toBe(false);
    expect(harness.server().requests).toHaveLength(1);
    expect(body.error.message).toBe(
      `gpt-x (ep-a) declined this passage: “${SORRY}” Nothing changed. Choose another model or quality tier for it.`,
    );
    const run = await lastRun(host);
    expect(run.cost_usd).toBeCloseTo((100 * 1 + 9 * 4) / 1e6, 9);
    expect(await spent(host)).toBeCloseTo(run.cost_usd, 9);
  });

  it('the next model is asked once after a decline, and the run says so', async () => {
    const host = await threeModels();
    const server = harness.server();
    server.script('gpt-x', { refusal: SORRY });
    server.script('claude-y', { json: GOOD });
    const { body } = await host.call('runs:start', { task: 'continuity_check', input: PASSAGE });
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'ep-b/claude-y', fallbacks: ['ep-b/claude-y'] });
    expect(body.value.answer.kind).toBe('findings');
    expect(body.value.attempts[0]).toMatchObject({ model_id: 'ep-a/gpt-x', outcome: 'failed' });
    expect(body.value.attempts[0].error.message).toMatch(/^gpt-x \(ep-a\) declined this passage/);
    expect(body.value.attempts[0].cost_usd).toBeGreaterThan(0);
    expect(server.requests.map((r) => r.model)).toEqual(['gpt-x', 'claude-y']);
    expect(await spent(host)).toBeCloseTo(body.value.cost_usd, 9);
  });

  it('a second model declining ends the run: no third is asked', async () => {
    const host = await threeModels();
    const server = harness.server();
    server.script('gpt-x', { refusal: SORRY });
    server.script('claude-y', { text: '', filtered: true });
    server.script('deepseek-z', { json: GOOD });
    const { body } = await host.call('runs:start', { task: 'continuity_check', input: PASSAGE, stream: true });
    expect(body.ok).toBe(false);
    expect(server.requests.map((r) => r.model)).toEqual(['gpt-x', 'claude-y']);
    expect(body.error.message).toMatch(/^None of the 2 models Quire tried could do this\./);
    expect(body.error.message).toMatch(/claude-y \(ep-b\) declined this passage \(its content filter stopped it\)/);
  });
});

describe('an answer its allowance ran out on', () => {
  it.each([
    // The task's own answer allowance (2,500) and 16,000 to think at medium effort: only another model helps.
    { task: 'continuity_check', tokens: undefined, sent: 18_500, step: 'Choose a model that does not think first.' },
    // Less than the task's own, as the writer chose (600), and 4,000 to think at low effort: a longer one helps too.
    {
      task: 'scene_draft',
      tokens: 600,
      sent: 4_600,
      step: 'Choose a longer answer length, or a model that does not think first.',
    },
  ])(
    'a reasoning model that spends all of it thinking is a failed run that says so, naming the allowance sent, charged ($task)',
    async ({ task, tokens, sent, step }) => {
      const allowance = sent;
      const host = await harness.host({ env: { OPENAI_API_KEY: 'sk-test-openai-0001' } });
      await host.call('providers:save', { id: 'openai', base_url: harness.server().openaiBaseUrl, builtin: true });
      harness.server().script('gpt-5.5', {
        text: '',
        truncated: true,
        inputTokens: 100,
        outputTokens: allowance,
        reasoningTokens: allowance,
      });
      const { body } = await host.call('runs:start', {
        task,
        input: PASSAGE,
        request: 'Is her eye colour consistent?',
        model: 'gpt-5.5',
        ...(tokens ? { max_output_tokens: tokens } : {}),
      });
      expect(body.ok).toBe(false);
      expect(body.error.message).toBe(
        `GPT-5.5 thinks before it answers, and its thinking used up its whole allowance of ${allowance.toLocaleString('en-US')} ` +
          `tokens: it wrote no answer. Nothing changed. ${step}`,
      );
      expect(harness.server().requests[0]!.body.max_completion_tokens).toBe(allowance);
      expect(harness.server().requests).toHaveLength(1);
      const run = await lastRun(host);
      expect(run).toMatchObject({ status: 'failed', output_tokens: allowance });
      expect(run.cost_usd).toBeGreaterThan(0);
      expect(await spent(host)).toBeCloseTo(run.cost_usd, 9);
    },
  );

  it('a structured answer cut at its length limit is not completed: the cut answer is kept as unused', async () => {
    const host = await harness.host();
    await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
    const cut = '{"findings": [{"claim": "Mara\'s eyes';
    harness.server().script('gpt-x', { text: cut, truncated: true });
    const { body } = await host.call('runs:start', { task: 'continuity_check', input: PASSAGE, model: 'ep-a/gpt-x' });
    expect(body.ok).toBe(false);
    expect(body.error.message).toBe(
      "gpt-x (ep-a)'s answer reached its length limit (2,500 tokens) before it was finished, so Quire could not " +
        'read it. Its answer was not used, so nothing changed. Try a shorter passage, or another model.',
    );
    // Not repaired: a second try would stop at the same place.
    expect(harness.server().requests).toHaveLength(1);
    expect(await lastRun(host)).toMatchObject({ status: 'failed', model_id: 'ep-a/gpt-x', text: cut });
  });

  it('after a structured answer cut at its length limit, the next model is asked', async () => {
    const host = await threeModels();
    const server = harness.server();
    server.script('gpt-x', { text: '{"findings": [', truncated: true });
    server.script('claude-y', { json: GOOD });
    const { body } = await host.call('runs:start', { task: 'continuity_check', input: PASSAGE });
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'ep-b/claude-y', truncated: false });
    expect(body.value.attempts[0].error.message).toMatch(/^gpt-x \(ep-a\)'s answer reached its length limit/);
    expect(server.requests.map((r) => r.model)).toEqual(['gpt-x', 'claude-y']);
  });
});
