// A tournament kept as a Markdown report, as a run's is (runs:export): what the writer asked, who answered what at
// what cost, the verifier and the judge, and the decision, so they can show an editor why it came out as it did.
import { describe, expect, it } from 'vitest';
import type { Tournament, TournamentMember } from '../../src-preload/contract/tournaments';
import { usdText } from '../../src-preload/contract/usd-text';
import type { FakeLlmServer } from '../../test/support/fake-llm-server';
import { cloudSpec, type TournamentApp } from '../../test/support/tournament-app';
import { useTournamentHarness } from '../../test/support/tournament-harness';
import { tournamentReport } from './tournament-report';

const PASSAGE =
  '# The Harbour\n\nMara pushed the hair from her green eyes.\n\n# The Lamplight\n\nHer blue eyes flashed.';
const finding = (claim: string, quote: string, severity: 'low' | 'high') => ({
  claim,
  evidence: [{ quote, location: null }],
  severity,
  suggestion: null,
});
const EYES = finding("Mara's eye colour changes from green to blue", 'Her blue eyes flashed', 'high');
const HAIR = finding('Her hair is never described', 'pushed the hair', 'low');
const answer = (...findings: object[]) => ({ json: { findings }, inputTokens: 400, outputTokens: 60 });

let fake: FakeLlmServer;
const harness = useTournamentHarness(
  [cloudSpec('gpt-a', 'openai', 9), cloudSpec('claude-b', 'anthropic', 8.8), cloudSpec('gpt-mini', 'openai', 7, 0.5)],
  (started) => (fake = started),
);

async function exported(h: TournamentApp, id: string): Promise<{ markdown: string; filename: string }> {
  const reply = await h.app.dispatcher.call('tournaments:export', { tournament_id: id }, { transport: 'internal' });
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value as { markdown: string; filename: string };
}

describe('tournaments:export', () => {
  it('reports the request, each model’s answer and cost, and the decision with who found what', async () => {
    const h = await harness();
    fake.script('gpt-a', answer(EYES, HAIR));
    fake.script('claude-b', answer(EYES));
    fake.script('gpt-mini', answer(EYES));
    const t = await h.service.start({
      task: 'continuity_check',
      input: PASSAGE,
      request: 'Check Mara’s eyes.\nAnd her hair.',
    });
    expect(t.status).toBe('done');
    const hair = t.findings.find((f) => f.claim === HAIR.claim)!;
    await h.app.dispatcher.call(
      'tournaments:resolve',
      { tournament_id: t.id, finding_id: hair.id, verdict: 'dismiss' },
      { transport: 'internal' },
    );

    const { markdown, filename } = await exported(h, t.id);
    expect(filename).toMatch(/^Quire Continuity check tournament \d{4}-\d{2}-\d{2}\.md$/);
    expect(markdown).toContain('# Continuity check: tournament of 3 models');
    expect(markdown).toContain('Your request:\n\n> Check Mara’s eyes.\n> And her hair.');
    expect(markdown).toMatch(/- Cost: \$[\d.]+ in all/);
    // The decision: each finding, how far the models agreed, who said it, and the writer's own verdict.
    expect(markdown).toContain(`### 1. ${EYES.claim}`);
    expect(markdown).toContain('All or most of the models found this (consensus).');
    expect(markdown).toContain('Found by gpt-a, claude-b and gpt-mini.');
    expect(markdown).toContain('- “Her blue eyes flashed” (The Lamplight, paragraph 1)');
    expect(markdown).toContain('Only a minority of the models found this (disputed).');
    expect(markdown).toContain('Found by gpt-a. Not mentioned by claude-b and gpt-mini.');
    expect(markdown).toContain('Your verdict: dismissed.');
    // Each model's own answer, with what it cost.
    for (const member of t.members) {
      expect(markdown).toContain(`### ${member.model_id}\n\n- Answered · cost ${usdText(member.cost_usd)}`);
    }
    expect(markdown).toContain(`#### 2. ${HAIR.claim}`);
    expect(markdown).toContain(`*For support: tournament ${t.id}*`);
  });

  it('reports a verification: the primary’s answer and the verifier’s verdict with its issues', async () => {
    const h = await harness();
    fake.script('gpt-a', answer(EYES));
    fake.script('gpt-mini', {
      json: { verdict: 'reject', issues: ['The eye colour is lamplight, not a change.'] },
      inputTokens: 300,
      outputTokens: 30,
    });
    fake.script('claude-b', {
      json: { verdict: 'reject', issues: ['The eye colour is lamplight, not a change.'] },
      inputTokens: 300,
      outputTokens: 30,
    });
    const t = await h.service.start({ task: 'continuity_check', input: PASSAGE, mode: 'verification' });
    expect(t.status).toBe('done');
    const verifier = t.members.find((m) => m.role === 'verifier')!;
    const { markdown } = await exported(h, t.id);
    expect(markdown).toContain('# Continuity check: answer checked by a second model');
    // One model answered: its findings are its own, never a "consensus" of one.
    expect(markdown).not.toContain('consensus');
    expect(markdown).toContain(`### 1. ${EYES.claim}\n\nFound by gpt-a, the model that answered.`);
    expect(markdown).toContain(
      `${verifier.model_id} checked the answer and rejected it, which lowers its confidence:\n\n- The eye colour is lamplight, not a change.`,
    );
    expect(markdown).toContain(
      `### ${verifier.model_id} (verifier)\n\n- Answered · cost ${usdText(verifier.cost_usd)}`,
    );
  });

  it('says a tournament it does not have is not there', async () => {
    const h = await harness();
    const reply = await h.app.dispatcher.call(
      'tournaments:export',
      { tournament_id: 'gone' },
      { transport: 'internal' },
    );
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.code).toBe('not_found');
  });
});

describe('tournamentReport of prose', () => {
  const member = (model_id: string, cost_usd: number, text: string): TournamentMember => ({
    model_id,
    display_name: model_id === 'a/x' ? 'Atlas Reader' : 'Boreal Writer',
    provider: 'openai',
    family: model_id,
    local: false,
    role: 'member',
    status: 'done',
    error: null,
    text,
    finding_count: null,
    worst_case_usd: 0.01,
    cost_usd,
    input_tokens: 500,
    output_tokens: 1200,
    duration_ms: 9000,
    quality: 8,
    history: 0.5,
  });
  const scene: Tournament = {
    id: 'tn_1',
    task: 'scene_draft',
    mode: 'tournament',
    kind: 'prose',
    status: 'done',
    created_at: '2026-12-06T07:26:36.793Z',
    finished_at: '2026-12-06T07:27:36.793Z',
    request: 'Mara at the lighthouse, at dusk.',
    members: [member('a/x', 0.002, 'The lamp turned.'), member('b/y', 0.003, 'Dusk came.')],
    findings: [],
    verification: null,
    judging: {
      judge_model_id: 'c/z',
      ranking: [
        { model_id: 'b/y', score: 1, wins: 2, pairs: 2 },
        { model_id: 'a/x', score: 0, wins: 0, pairs: 2 },
      ],
      pairs: [],
      consistency: 1,
    },
    winner: 'b/y',
    confidence: { value: 0.6, ingredients: {} as never },
    notes: [],
    reserved_usd: 0.02,
    cost_usd: 0.0062,
    wall_ms: 60_000,
    error: null,
  };

  it('names the preferred answer, the judge with its ranking and cost, and each answer in full', () => {
    const names = { taskName: () => 'Scene draft', modelName: (id: string) => (id === 'c/z' ? 'Night Editor' : id) };
    const { markdown, filename } = tournamentReport(scene, names, () => null, 'Europe/London');
    expect(filename).toBe('Quire Scene draft tournament 2026-12-06.md');
    expect(markdown).toContain('- Date: 6 December 2026, 07:26');
    expect(markdown).toContain("Preferred answer: Boreal Writer's.");
    expect(markdown).toContain(
      'Night Editor compared every pair of answers in both orders and agreed with itself 100% of the time; its comparisons cost $0.0012.',
    );
    expect(markdown).toContain('1. Boreal Writer: 2 of 2 comparisons won\n2. Atlas Reader: 0 of 2 comparisons won');
    expect(markdown).toContain(
      '### Boreal Writer\n\n- Answered · cost $0.003 · 500 tokens read, 1,200 written\n- The preferred answer\n\nDusk came.',
    );
    expect(markdown).toContain('### Atlas Reader\n\n- Answered · cost $0.002');
  });
  it('says a tournament the writer stopped was stopped, not that it failed', () => {
    const names = { taskName: () => 'Scene draft', modelName: (id: string) => id };
    const message = 'You stopped this tournament. Nothing more was sent.';
    const stopped: Tournament = {
      ...scene,
      status: 'failed',
      judging: null,
      winner: null,
      confidence: null,
      error: { code: 'cancelled', message },
    };
    const { markdown } = tournamentReport(stopped, names, () => null, 'Europe/London');
    expect(markdown).toContain(`- Status: stopped. ${message}\n`);
    expect(markdown).not.toContain('failed');
  });
});
