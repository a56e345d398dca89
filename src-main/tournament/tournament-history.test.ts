// The history a writer reads: a tournament is one entry (tournaments:list), not one run per call it made; older runs
// are reached page by page, whatever runs and tournaments sit between them.
import { describe, expect, it } from 'vitest';
import type { RunRecord, RunSummary } from '../../src-preload/contract/runs';
import { memberRunId, type TournamentSummary } from '../../src-preload/contract/tournaments';
import type { FakeLlmServer } from '../../test/support/fake-llm-server';
import { cloudSpec, type TournamentApp } from '../../test/support/tournament-app';
import { useTournamentHarness } from '../../test/support/tournament-harness';

const PASSAGE = 'Chapter 3. Mara pushed the hair from her green eyes.\n\nChapter 12. Her blue eyes flashed.';
const EYES = {
  json: {
    findings: [
      {
        claim: "Mara's eye colour changes",
        evidence: [{ quote: 'Her blue eyes flashed', location: null }],
        severity: 'high',
        suggestion: null,
      },
    ],
  },
  inputTokens: 400,
  outputTokens: 60,
};

let fake: FakeLlmServer;
const harness = useTournamentHarness(
  [cloudSpec('gpt-a', 'openai', 9), cloudSpec('claude-b', 'anthropic', 8.8), cloudSpec('gpt-mini', 'openai', 7, 0.5)],
  (started) => (fake = started),
);

async function list(h: TournamentApp, input: unknown): Promise<RunSummary[]> {
  const reply = await h.app.dispatcher.call('runs:list', input, { transport: 'internal' });
  if (!reply.ok) throw new Error(reply.error.message);
  return (reply.value as { runs: RunSummary[] }).runs;
}

describe('the history of runs beside tournaments', () => {
  it('leaves out the calls a tournament made when asked, its verifier’s too, and pages back from a run', async () => {
    const h = await harness();
    for (const model of ['gpt-a', 'claude-b', 'gpt-mini']) fake.script(model, EYES);
    const first = await h.runs.start({ task: 'continuity_check', input: PASSAGE, model: 'gpt-a' });
    const tournament = await h.service.start({ task: 'continuity_check', input: PASSAGE });
    const verified = await h.service.start({ task: 'continuity_check', input: PASSAGE, mode: 'verification' });
    expect([tournament.status, verified.status]).toEqual(['done', 'done']);
    const last = await h.runs.start({ task: 'continuity_check', input: PASSAGE, model: 'claude-b' });

    // Every call is still a run of its own for the API and the estimates.
    const all = await list(h, {});
    expect(all.length).toBeGreaterThan(4);
    // The writer's history: the two runs of their own, newest first.
    const own = await list(h, { tournament_calls: false });
    expect(own.map((run) => run.run_id)).toEqual([last.run_id, first.run_id]);
    // The limit counts what is listed, so a page is full whatever the tournaments made in between.
    expect((await list(h, { tournament_calls: false, limit: 1 })).map((run) => run.run_id)).toEqual([last.run_id]);
    // The next page starts after the last run shown.
    expect(
      (await list(h, { tournament_calls: false, limit: 1, before: last.run_id })).map((run) => run.run_id),
    ).toEqual([first.run_id]);
    expect(await list(h, { tournament_calls: false, before: first.run_id })).toEqual([]);
  });
});

describe('a tournament call reopened on its own', () => {
  it('says what the writer asked: each member’s run, the verifier’s and the tournament keep the request', async () => {
    const h = await harness();
    for (const model of ['gpt-a', 'claude-b', 'gpt-mini']) fake.script(model, EYES);
    const asked = 'Is Mara’s eye colour the same all through?';
    const tournament = await h.service.start({ task: 'continuity_check', input: PASSAGE, request: asked });
    const verified = await h.service.start({
      task: 'continuity_check',
      input: PASSAGE,
      request: asked,
      mode: 'verification',
    });
    expect([tournament.status, verified.status]).toEqual(['done', 'done']);
    expect(tournament.request).toBe(asked);
    expect(h.service.get(verified.id).request).toBe(asked);
    for (const t of [tournament, verified]) {
      for (const member of t.members) {
        const reply = await h.app.dispatcher.call(
          'runs:get',
          { run_id: memberRunId(t.id, member) },
          { transport: 'internal' },
        );
        if (!reply.ok) throw new Error(reply.error.message);
        expect((reply.value as RunRecord).request).toBe(asked);
      }
    }
    // None asked: none said.
    const plain = await h.service.start({ task: 'continuity_check', input: PASSAGE });
    expect(plain.request).toBeNull();
  });
});

describe('older tournaments', () => {
  it('are reached page by page from the last one listed, one task’s too', async () => {
    const h = await harness();
    for (const model of ['gpt-a', 'claude-b', 'gpt-mini']) fake.script(model, EYES);
    const started: string[] = [];
    for (let i = 0; i < 3; i++) started.push((await h.service.start({ task: 'continuity_check', input: PASSAGE })).id);
    const page = async (input: unknown) => {
      const reply = await h.app.dispatcher.call('tournaments:list', input, { transport: 'internal' });
      if (!reply.ok) throw new Error(reply.error.message);
      return (reply.value as TournamentSummary[]).map((t) => t.id);
    };
    const newest = [...started].reverse();
    expect(await page({ limit: 2 })).toEqual(newest.slice(0, 2));
    expect(await page({ limit: 2, before: newest[1] })).toEqual(newest.slice(2));
    expect(await page({ limit: 2, before: newest[2] })).toEqual([]);
    expect(await page({ task: 'continuity_check', limit: 1, before: newest[0] })).toEqual([newest[1]]);
    expect(await page({ task: 'theme_analysis', before: newest[0] })).toEqual([]);
  });
});

describe('the history’s rows', () => {
  it('begin with what the writer asked, so one tournament or run can be told from another', async () => {
    const h = await harness();
    for (const model of ['gpt-a', 'claude-b', 'gpt-mini']) fake.script(model, EYES);
    const long = `Is Mara’s eye colour the same all through? ${'Check every chapter, please. '.repeat(10)}`;
    await h.service.start({ task: 'continuity_check', input: PASSAGE, request: long });
    await h.service.start({ task: 'continuity_check', input: PASSAGE, request: 'Only the eyes.' });
    await h.service.start({ task: 'continuity_check', input: PASSAGE });
    await h.runs.start({ task: 'continuity_check', input: PASSAGE, model: 'gpt-a', request: long });
    const tournaments = await h.app.dispatcher.call('tournaments:list', {}, { transport: 'internal' });
    if (!tournaments.ok) throw new Error(tournaments.error.message);
    const preview = `${long.slice(0, 120).trimEnd()}…`;
    expect((tournaments.value as TournamentSummary[]).map((t) => t.request_preview)).toEqual([
      null,
      'Only the eyes.',
      preview,
    ]);
    expect((await list(h, { tournament_calls: false }))[0]!.request_preview).toBe(preview);
  });
});
