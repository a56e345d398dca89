// A reasoning model seated at a tournament is asked as a single run of the task asks it (runs/thinking-room.test.ts):
// the answer's allowance plus room to think at the task's effort, and that effort; its seat's worst case, the quote
// and the group reservation count all of it. Real parts: SQLite, the ledger, the official SDKs against the loopback
// fake provider.
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import type { FakeLlmServer } from '../../test/support/fake-llm-server';
import { findingsAnswer } from '../../test/support/findings-answer';
import { cloudSpec, type TournamentApp } from '../../test/support/tournament-app';
import { useTournamentHarness } from '../../test/support/tournament-harness';
import { worstCaseUsd } from '../orchestrator/pricing';
import { shippedTaskLibrary } from '../tasks/shipped-library';

const PASSAGE = [
  '# Chapter 3',
  'Mara pushed the hair from her green eyes and watched the harbour.',
  '# Chapter 12',
  'She turned to him, her blue eyes flashed in the lamplight.',
].join('\n\n');
const EYES = findingsAnswer("Mara's eyes change colour", 'her blue eyes flashed');

/** An OpenAI model that thinks before it answers, out of its output allowance (as GPT-5.5 does). */
const thinker = (id: string, quality: number, outputUsdPerMtok?: number): ModelSpec => {
  const spec = cloudSpec(id, 'openai', quality, outputUsdPerMtok);
  return { ...spec, max_output_tokens: 128_000, capabilities: { ...spec.capabilities, reasoning: true } };
};
const registry = [thinker('gpt-r', 9.5), cloudSpec('claude-b', 'anthropic', 8.8), thinker('gpt-r-mini', 7, 0.5)];
const spec = (id: string) => registry.find((m) => m.id === id)!;

// The continuity check's answer and effort: 2,500 tokens, medium (16,000 to think).
const definition = shippedTaskLibrary().get('continuity_check')!;
const ANSWER = definition.max_output_tokens;
const ALLOWANCE = ANSWER + 16_000;

let fake: FakeLlmServer;
const harness = useTournamentHarness(registry, (started) => (fake = started));
const ledgerRows = (h: TournamentApp) =>
  h.db.prepare('SELECT run_id, model_id, reserved_micros FROM ledger ORDER BY id').all() as {
    run_id: string;
    model_id: string;
    reserved_micros: number;
  }[];

describe("a reasoning member's room to think", () => {
  it('is sent the answer’s 2,500 tokens plus 16,000 to think at medium effort, and its seat, the quote and the hold count all 18,500; a member that does not think is asked as before', async () => {
    expect(definition.reasoning_effort).toBe('medium');
    const h = await harness();
    fake.script('gpt-r', { json: EYES, inputTokens: 400, outputTokens: 60 });
    fake.script('claude-b', { json: EYES, inputTokens: 400, outputTokens: 60 });
    const start = { task: 'continuity_check', input: PASSAGE, models: ['gpt-r', 'claude-b'] };
    const quote = await h.service.quote(start);
    const t = await h.service.start(start);
    expect(t.status).toBe('done');

    const asked = fake.requests.find((r) => r.model === 'gpt-r')!.body;
    expect(asked).toMatchObject({ max_completion_tokens: ALLOWANCE, reasoning_effort: 'medium' });
    const plain = fake.requests.find((r) => r.model === 'claude-b')!.body;
    expect(plain.max_tokens).toBe(ANSWER);
    expect(plain).not.toHaveProperty('reasoning_effort');

    // The seat: its call and its one repair, each with every token the member may produce at the output price (the
    // repair reads the first answer back, as long as that).
    const allOut = worstCaseUsd(spec('gpt-r'), 0, ALLOWANCE);
    const seat = quote.members.find((m) => m.model_id === 'gpt-r')!.worst_case_usd;
    expect(seat).toBeGreaterThanOrEqual(2 * allOut + worstCaseUsd(spec('gpt-r'), ALLOWANCE, 0));
    // Held together before any member was asked: the call's hold covers all it was sent. The member that does not
    // think is held for its answer alone, as before (its request is under 2,000 tokens in).
    const held = (id: string) => ledgerRows(h).find((r) => r.run_id.endsWith(`/member/${id}`))!.reserved_micros;
    expect(held('gpt-r')).toBeGreaterThanOrEqual(allOut * 1e6);
    expect(held('claude-b')).toBeLessThan(worstCaseUsd(spec('claude-b'), 2_000, ANSWER) * 1e6);
  });

  it('a reasoning verifier is sent room to think besides its verdict’s 1,024 tokens, and priced for the primary’s whole allowance as its input', async () => {
    const h = await harness();
    fake.script('gpt-r', { json: EYES, inputTokens: 400, outputTokens: 60 });
    fake.script('gpt-r-mini', { json: { verdict: 'approve', issues: [] }, inputTokens: 900, outputTokens: 30 });
    const start = {
      task: 'continuity_check',
      input: PASSAGE,
      mode: 'verification' as const,
      models: ['gpt-r', 'gpt-r-mini'],
    };
    const quote = await h.service.quote(start);
    const t = await h.service.start(start);
    expect(t.verification).toMatchObject({ verdict: 'approve' });
    const review = fake.requests.find((r) => r.model === 'gpt-r-mini')!.body;
    expect(review).toMatchObject({ max_completion_tokens: 1_024 + 16_000, reasoning_effort: 'medium' });
    const verifier = quote.members.find((m) => m.model_id === 'gpt-r-mini')!.worst_case_usd;
    expect(verifier).toBeGreaterThanOrEqual(worstCaseUsd(spec('gpt-r-mini'), 2 * ALLOWANCE, 1_024 + 16_000));
  });

  it('prose: a reasoning member and a reasoning judge think at the scene draft’s low effort, each held for it', async () => {
    const draft = shippedTaskLibrary().get('scene_draft')!;
    expect(draft.reasoning_effort).toBe('low');
    const h = await harness();
    fake.script('gpt-r', { text: 'The rain came in sideways over the harbour.' });
    fake.script('claude-b', { text: 'Rain. The harbour. Mara waited.' });
    // The best model outside the tournament judges: gpt-r-mini, which thinks too.
    fake.script('gpt-r-mini', { json: { winner: 'A', reason: 'reads better' } });
    const input = 'Mara waits at the harbour in the rain.';
    const t = await h.service.start({ task: 'scene_draft', input, models: ['gpt-r', 'claude-b'] });
    expect(t.judging!.judge_model_id).toBe('gpt-r-mini');
    const member = fake.requests.find((r) => r.model === 'gpt-r')!.body;
    expect(member).toMatchObject({ max_completion_tokens: draft.max_output_tokens + 4_000, reasoning_effort: 'low' });
    expect(fake.requests.find((r) => r.model === 'claude-b')!.body.max_tokens).toBe(draft.max_output_tokens);
    const judged = fake.requests.filter((r) => r.model === 'gpt-r-mini');
    expect(judged).toHaveLength(2);
    for (const r of judged)
      expect(r.body).toMatchObject({ max_completion_tokens: 300 + 4_000, reasoning_effort: 'low' });
    const judgeHolds = ledgerRows(h).filter((r) => r.run_id.includes('/judge/'));
    for (const row of judgeHolds)
      expect(row.reserved_micros).toBeGreaterThanOrEqual(worstCaseUsd(spec('gpt-r-mini'), 0, 300 + 4_000) * 1e6);
  });
});
