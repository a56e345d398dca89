// A local model (C's runtime, real node-llama-cpp on the generated GGUF fixture) sits in a tournament beside two cloud
// members: it is chosen, streams, is recorded in the ledger at $0, answers findings JSON its grammar closes within the
// output budget (so it is never dropped for a cut answer), is told its limits in its instruction as a single run's
// local model is, an answer that reached them says so (in its run's answer and the tournament's notes), and the
// tournament completes.
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { localAnswerBounds, passageCost, runAnswerForm } from '../tasks/answer-schema';
import { RunsRepo } from '../store/repos/runs-repo';
import { memberRunId } from './member-call';
import { residentEmbeddings } from './local-embeddings';
import { briefTaskLibrary, cloudSpec, localSpec, tournamentApp } from '../../test/support/tournament-app';

const llm = useLocalFixture();

const tempDir = useTempDir();

describe('a local model as a tournament member', () => {
  it('runs beside cloud members, streams, and is recorded at $0', async () => {
    const fixture = tinyLlamaFixture();
    const registry = [
      cloudSpec('gpt-a', 'openai', 9),
      cloudSpec('claude-b', 'anthropic', 8.8),
      localSpec('tiny-local', 'tiny-fixture'),
    ];
    const fake = llm.fake();
    let embedded: number | undefined;
    const h = await tournamentApp({
      dataDir: tempDir(),
      fake,
      registry,
      // The shipped instructions are ~2,000 of the fixture's byte-level tokens: with the answer's budget they would
      // not fit its 2,048-token context; this test is about the grammar's budget, so the instruction is one line.
      taskLibrary: briefTaskLibrary(),
      execution: { firstTokenTimeoutMs: 60_000 },
      local: { llama: llm.llama(), files: { 'tiny-fixture': fixture } },
      // The tiny model is resident after answering: its embeddings are used for matching claims.
      claimSimilarity: async (claims) => {
        const similarity = await residentEmbeddings(runtime)(claims);
        embedded = claims.length;
        return similarity;
      },
    });
    const runtime = h.app.services.local.runtime;
    try {
      const eyes = {
        claim: "Mara's eye colour changes",
        evidence: [{ quote: 'her blue eyes', location: null }],
        severity: 'high',
        suggestion: null,
      };
      fake.script('gpt-a', { json: { findings: [eyes] } });
      fake.script('claude-b', { json: { findings: [eyes] } });
      const t = await h.service.start({
        task: 'continuity_check',
        input: 'Chapter 3. Her green eyes. Chapter 12. Her blue eyes flashed.',
        max_output_tokens: 48,
      });
      expect(t.status).toBe('done');
      const member = t.members.find((m) => m.model_id === 'tiny-local')!;
      expect(member).toMatchObject({ local: true, family: 'tiny', worst_case_usd: 0, cost_usd: 0 });
      // It answered (random weights under the findings grammar answer-schema bounds for it): tokens were produced and
      // metered, and the bounded grammar closed the JSON. The 48 tokens the writer chose hold no finding: its answer
      // was given room for one (free), as a single run's is, not held to none.
      expect(member).toMatchObject({ status: 'done', error: null });
      expect(member.finding_count).toBeLessThanOrEqual(1);
      expect(JSON.parse(member.text)).toMatchObject({ findings: expect.any(Array) });
      expect(t.notes.join(' ')).not.toMatch(/dropped/);
      // Told so with its instruction, as a single run's local model is.
      const runId = memberRunId(t.id, { role: 'member', model_id: 'tiny-local' });
      const sent = new RunsRepo(h.db).request(runId) as { input: { role: string; content: string }[] };
      expect(sent.input[0]!.content).toMatch(
        /\n\nKeep your answer within these limits \(anything longer is cut off\): at most 1 finding, the most important/,
      );
      // The writer is told the length was raised: in its run's answer, and in the tournament's notes by its name.
      const raised = /^The answer length you chose has no room for a finding, so this model was given room for one/;
      expect(h.runs.get(runId).answer?.notices).toEqual([expect.stringMatching(raised)]);
      expect(t.notes).toContainEqual(expect.stringMatching(/^tiny-local: The answer length you chose has no room/));
      expect(member.output_tokens).toBeGreaterThan(0);
      expect(member.duration_ms).toBeGreaterThan(0);
      const started = h.events
        .filter((e) => e.name === 'tournament:member-started')
        .map((e) => (e.payload as { model_id: string }).model_id);
      expect(started).toContain('tiny-local');
      const row = h.db
        .prepare(
          "SELECT state, reserved_micros, charged_micros, output_tokens FROM ledger WHERE model_id = 'tiny-local'",
        )
        .get() as {
        state: string;
        reserved_micros: number;
        charged_micros: number;
        output_tokens: number;
      };
      expect(row).toMatchObject({ state: 'settled', reserved_micros: 0, charged_micros: 0 });
      expect(row.output_tokens).toBeGreaterThan(0);
      expect(embedded).toBeGreaterThanOrEqual(2);
      expect(runtime.resident().map((r) => r.id)).toEqual(['tiny-fixture']);
      // The two cloud members agree: two of the three that answered is a consensus.
      expect(t.findings.find((f) => f.supporters.includes('gpt-a'))).toMatchObject({
        status: 'consensus',
        supporters: expect.arrayContaining(['gpt-a', 'claude-b']),
      });
    } finally {
      await h.close();
    }
  }, 120_000);

  it('with room for one finding, the grammar bounded on the passage still closes the JSON within the budget', async () => {
    const BUDGET = 400;
    const INPUT = 'Her blue eyes.';
    // A vocabulary with word pieces, as every real model's has: a member's answer is counted as realistically as the
    // passage (answer-schema.ts passageCost), which the default vocabulary of single bytes (one token a byte) is not.
    // Seeded, so the random weights write the same answer every time (seed 3's: one finding, every string as long as
    // the grammar lets it be); the registry's 4,096-token context.
    const fixture = tinyLlamaFixture({ seed: 3, contextLength: 4096, vocabulary: { kind: 'bpe', learned: 800 } });
    const registry = [
      cloudSpec('gpt-a', 'openai', 9),
      cloudSpec('claude-b', 'anthropic', 8.8),
      localSpec('tiny-local', 'tiny-fixture'),
    ];
    const fake = llm.fake();
    const h = await tournamentApp({
      dataDir: tempDir(),
      fake,
      registry,
      // This test is about the grammar's budget: the instruction is one line.
      taskLibrary: briefTaskLibrary(),
      execution: { firstTokenTimeoutMs: 30_000 },
      local: { llama: llm.llama(), files: { 'tiny-fixture': fixture } },
    });
    try {
      const eyes = {
        claim: 'Eyes change',
        evidence: [{ quote: 'her blue eyes', location: null }],
        severity: 'high',
        suggestion: null,
      };
      fake.script('gpt-a', { json: { findings: [eyes] } });
      fake.script('claude-b', { json: { findings: [eyes] } });
      const t = await h.service.start({ task: 'continuity_check', input: INPUT, max_output_tokens: BUDGET });
      const member = t.members.find((m) => m.model_id === 'tiny-local')!;
      expect(member).toMatchObject({ status: 'done', error: null });
      // The budget holds one finding with two quotes, counted on the passage as a single run's answer is, and the
      // member is told so with its instruction.
      const bounds = localAnswerBounds(runAnswerForm('findings', []), BUDGET, passageCost(INPUT));
      expect(bounds).toMatchObject({ items: 1, evidence: 2 });
      const runId = memberRunId(t.id, { role: 'member', model_id: 'tiny-local' });
      const sent = new RunsRepo(h.db).request(runId) as { input: { role: string; content: string }[] };
      expect(sent.input[0]!.content).toContain(`at most 1 finding, the most important first; each claim at most `);
      expect(sent.input[0]!.content).toContain(`each quote at most ${bounds.text} characters`);
      expect(member.finding_count).toBe(1);
      expect(member.output_tokens).toBeLessThanOrEqual(BUDGET);
      // It reached its bounds (as many findings as allowed, strings at their longest): said on its run's answer as on a
      // single run's, and in the tournament's notes by its name.
      const notices = h.runs.get(runId).answer?.notices;
      expect(notices).toEqual([
        // The writer chose the length: a longer one is the step, not another model.
        'Only 1 finding fit in the answer length you chose, and it gave 1: there may be more. Pick a longer answer ' +
          'length to see them.',
        'Some findings reached the length this model can write for one and may be cut short.',
      ]);
      expect(t.notes.filter((n) => n.startsWith('tiny-local: '))).toEqual(notices!.map((n) => `tiny-local: ${n}`));
    } finally {
      await h.close();
    }
  }, 120_000);
});
