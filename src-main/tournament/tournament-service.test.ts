// Tournaments end to end on real parts: SQLite, B's ledger, the official SDKs against the loopback fake provider.
import { describe, expect, it } from 'vitest';
import type { Tournament } from '../../src-preload/contract';
import type { FakeLlmServer } from '../../test/support/fake-llm-server';
import { cloudSpec, type TournamentApp } from '../../test/support/tournament-app';
import { useTournamentHarness } from '../../test/support/tournament-harness';
import { memberRunId } from '../../src-preload/contract/tournaments';
import { answerJsonSchema } from '../tasks/answers';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import { taskMessages } from '../tasks/task-messages';
import type { QuireError } from '../errors';

export const MANUSCRIPT = [
  'Chapter 3. Mara pushed the hair from her green eyes and watched the harbour.',
  'Chapter 9. The Crooked Inn was ash by morning; Tom swept what was left.',
  'Chapter 12. She turned to him, her blue eyes flashed in the lamplight.',
  'Chapter 14. They drank at the Crooked Inn, as they did every Friday.',
].join('\n\n');

/** A finding as a single run of the task answers it (tasks/answers.ts): its quotes, each with the model's place. */
const finding = (
  claim: string,
  quotes: (string | { quote: string; location: string | null })[],
  severity: 'low' | 'medium' | 'high',
) => ({
  claim,
  evidence: quotes.map((q) => (typeof q === 'string' ? { quote: q, location: null } : q)),
  severity,
  suggestion: null,
});
const EYES = finding(
  "Mara's eye colour changes from green (ch. 3) to blue (ch. 12)",
  [{ quote: 'her blue eyes flashed', location: 'Chapter 12' }],
  'high',
);
const EYES_2 = finding(
  "Mara's eyes are green in chapter 3 but blue in chapter 12",
  ['her blue eyes flashed in the lamplight'],
  'high',
);
const EYES_3 = finding(
  'Inconsistent eye colour for Mara: green, later blue',
  [{ quote: 'her blue eyes', location: 'ch. 12' }],
  'medium',
);
const EYES_NO = finding(
  "Mara's eye colour does not change; blue is only the lamplight's reflection",
  ['her blue eyes flashed'],
  'low',
);
const INN = finding(
  'The Crooked Inn burned down in chapter 9 yet they drink there in chapter 14',
  [{ quote: 'They drank at the Crooked Inn', location: 'Chapter 14' }],
  'high',
);

/** A manuscript with Quire's headings and paragraphs, for the places of quotes. */
const CHAPTERS = [
  '# The Harbour',
  'Mara pushed the hair from her green eyes and watched the harbour.',
  'Tom mended nets on the wall.',
  '# The Lamplight',
  'She turned to him, her blue eyes flashed in the lamplight.',
].join('\n\n');

const registry = [
  cloudSpec('gpt-a', 'openai', 9),
  cloudSpec('claude-b', 'anthropic', 8.8),
  // Named as a writer would see it: notes say "DeepSeek C", never its id.
  { ...cloudSpec('deepseek-c', 'deepseek', 8.5), display_name: 'DeepSeek C' },
  cloudSpec('gpt-mini', 'openai', 7, 0.5),
];

/** Longer than an 8,000-token context reads at once (a tournament does not run in parts). */
const LONG_PASSAGE = Array.from({ length: 400 }, (_, i) => `Chapter ${i}. Mara watched the harbour, as she did.`).join(
  '\n\n',
);

let fake: FakeLlmServer;
const harness = useTournamentHarness(registry, (started) => (fake = started));
const findings = (...list: object[]) => ({ json: { findings: list }, inputTokens: 400, outputTokens: 60 });
const ledgerRows = (h: TournamentApp) =>
  h.db.prepare('SELECT model_id, state, reserved_micros, charged_micros FROM ledger ORDER BY id').all() as {
    model_id: string;
    state: string;
    reserved_micros: number;
    charged_micros: number | null;
  }[];

describe('TournamentService', () => {
  it('three members agreeing give one consensus finding with high confidence, each member charged', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', findings(EYES_3));
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.status).toBe('done');
    expect(t.members.map((m) => [m.model_id, m.status])).toEqual([
      ['gpt-a', 'done'],
      ['claude-b', 'done'],
      ['deepseek-c', 'done'],
    ]);
    expect(t.findings).toHaveLength(1);
    expect(t.findings[0]).toMatchObject({ status: 'consensus', supporters: ['gpt-a', 'claude-b', 'deepseek-c'] });
    expect(t.findings[0]!.evidence.every((e) => e.found)).toBe(true);
    expect(t.findings[0]!.statements).toHaveLength(3);
    expect(t.findings[0]!.confidence.value).toBeGreaterThan(0.75);
    expect(t.confidence!.value).toBeGreaterThan(0.75);
    // Every member asked for the findings schema, all reserved together and settled to the provider's counts.
    expect(fake.requests.filter((r) => r.stream)).toHaveLength(3);
    // Each member's one repair was held with them and, not needed, given back.
    const all = ledgerRows(h);
    expect(all.map((r) => r.state)).toEqual(['settled', 'settled', 'settled', 'released', 'released', 'released']);
    // Spend counts the three calls made, not the three holds given back.
    const month = h.app.services.ledger.month(h.app.services.ledger.snapshot(new Date()).month);
    expect(month.by_task).toEqual([expect.objectContaining({ key: 'continuity_check', calls: 3 })]);
    const rows = all.filter((r) => r.state === 'settled');
    expect(rows.every((r) => r.charged_micros! > 0 && r.charged_micros! < r.reserved_micros)).toBe(true);
    expect(t.cost_usd).toBeCloseTo(rows.reduce((s, r) => s + r.charged_micros!, 0) / 1e6, 6);
    const names = h.events.map((e) => e.name);
    expect(names.filter((n) => n === 'tournament:member-started')).toHaveLength(3);
    expect(names.filter((n) => n === 'tournament:member-done')).toHaveLength(3);
    expect(names).toContain('tournament:member-token');
    expect(names.at(-1)).toBe('tournament:completed');
    expect(h.service.get(t.id)).toEqual(t);
    // Each member's own run, reopened from the history, reads as findings with located quotes (not raw JSON).
    for (const member of t.members) {
      const run = h.runs.get(memberRunId(t.id, member));
      expect(run.answer).toMatchObject({ kind: 'findings', findings: [{ evidence: [{ match: 'exact' }] }] });
    }
  });

  it('members Quire seats are its picks in the ledger; members the writer names are theirs', async () => {
    const h = await harness();
    const choosers = (id: string) =>
      h.db.prepare('SELECT DISTINCT chosen_by FROM ledger WHERE run_id LIKE ?').pluck().all(`${id}/%`);
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', findings(EYES_3));
    const seated = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(seated.status).toBe('done');
    expect(choosers(seated.id)).toEqual(['quire']);
    const named = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT, models: ['gpt-a', 'claude-b'] });
    expect(named.status).toBe('done');
    expect(choosers(named.id)).toEqual(['writer']);
  });

  it('two agreeing and one differing: a consensus and a dispute that names the odd one', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', findings(INN));
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.findings.map((f) => f.status)).toEqual(['consensus', 'disputed']);
    const [consensus, dispute] = t.findings;
    expect(consensus).toMatchObject({ supporters: ['gpt-a', 'claude-b'], silent: ['deepseek-c'] });
    expect(dispute).toMatchObject({ supporters: ['deepseek-c'], silent: ['gpt-a', 'claude-b'] });
    expect(dispute!.evidence.map((e) => e.quote)).toEqual(['They drank at the Crooked Inn']);
    expect(dispute!.confidence.value).toBeLessThan(consensus!.confidence.value);
  });

  it('detects members asserting opposites, and runs:stats counts the conflict', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', findings(EYES_NO));
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.findings).toHaveLength(1);
    expect(t.findings[0]).toMatchObject({
      status: 'contradicted',
      supporters: ['gpt-a', 'claude-b'],
      opposers: ['deepseek-c'],
    });
    expect(t.findings[0]!.confidence.ingredients.opposition).toBeCloseTo(1 / 3);
    expect(h.runs.stats()).toMatchObject({ conflicts_detected: 1 });
    // Every member's own run carries a confidence too.
    const memberRuns = h.runs.list().filter((r) => r.status === 'completed');
    expect(memberRuns).toHaveLength(3);
    for (const run of memberRuns) expect(run.confidence).toBeGreaterThan(0);
    expect(h.runs.stats().avg_confidence).toBeGreaterThan(0);
  });

  it('drops a member that fails mid-stream, charges it by the one rule (usage unknown: its reservation), and goes on with two', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', { ...findings(EYES_3), faults: [{ kind: 'reset', afterTokens: 4 }] });
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.status).toBe('done');
    const dropped = t.members.find((m) => m.model_id === 'deepseek-c')!;
    expect(dropped.status).toBe('failed');
    expect(dropped.error?.code).toBeTruthy();
    expect(t.notes.join(' ')).toContain('DeepSeek C was dropped');
    const row = ledgerRows(h).find((r) => r.model_id === 'deepseek-c')!;
    expect(row.state).toBe('settled');
    // The ledger's one rule for interrupted calls: a cut stream carries no usage from the provider, so the reservation
    // is kept — charged, never $0, never above what was reserved.
    expect(row.charged_micros!).toBeGreaterThan(0);
    expect(row.charged_micros!).toBe(row.reserved_micros);
    expect(dropped.cost_usd).toBeCloseTo(row.charged_micros! / 1e6, 6);
    // Every member is a run of its own, failed ones included, with its task and model.
    const runs = h.runs.list({ task: 'continuity_check' });
    expect(runs.map((r) => r.model_id).sort()).toEqual(['claude-b', 'deepseek-c', 'gpt-a']);
    const cut = runs.find((r) => r.model_id === 'deepseek-c')!;
    expect(cut).toMatchObject({ status: 'failed', task: 'continuity_check' });
    expect(cut.cost_usd).toBeCloseTo(row.charged_micros! / 1e6, 6);
    expect(t.findings[0]).toMatchObject({ status: 'consensus', supporters: ['gpt-a', 'claude-b'] });
    expect(h.events.some((e) => e.name === 'tournament:member-failed')).toBe(true);
  });

  it('drops a member that declines the passage, saying so, without paying for a repair of an answer that never came', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', { refusal: "I can't help with that.", inputTokens: 400, outputTokens: 5 });
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.status).toBe('done');
    expect(t.members.find((m) => m.model_id === 'deepseek-c')).toMatchObject({
      status: 'failed',
      error: { message: expect.stringMatching(/^DeepSeek C declined this passage: “I can't help with that\.”/) },
    });
    expect(t.notes.join(' ')).toMatch(/DeepSeek C was dropped: DeepSeek C declined this passage/);
    expect(fake.requests.filter((r) => r.model === 'deepseek-c')).toHaveLength(1);
    // Its repair's hold is given back, never used.
    expect(
      ledgerRows(h)
        .filter((r) => r.model_id === 'deepseek-c')
        .map((r) => r.state),
    ).toEqual(['settled', 'released']);
  });

  it('fails with a reason when fewer than two members answer, charging nothing it did not use', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', { alwaysFault: { kind: 'status', status: 500 } });
    fake.script('deepseek-c', { alwaysFault: { kind: 'status', status: 400 } });
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.status).toBe('failed');
    expect(t.error?.message).toMatch(/Only 1 of 3 members answered/);
    // Each dropped member's note is one sentence: not '…(HTTP 500). (charged $0.00).'
    expect(t.notes.filter((n) => n.includes('was dropped'))).toHaveLength(2);
    expect(t.notes.join(' ')).toMatch(/was dropped: .*[^.!?] \(charged \$0\.00\)\./);
    expect(t.notes.join(' ')).not.toMatch(/[.!?] \(charged/);
    // Their calls and their repairs (never asked for: no answer came to repair).
    const failedRows = ledgerRows(h).filter((r) => r.model_id !== 'gpt-a');
    expect(failedRows).toHaveLength(4);
    expect(failedRows.every((r) => r.state === 'released')).toBe(true);
  });

  it('the cost cap limits membership, down to two, and refuses with a reason below that', async () => {
    // Each premium member may cost ~$0.011 (the task's instruction and the passage in, the 2,500 output tokens a
    // single run allows, at $4/Mtok) and more again for its one repair (which reads that answer too): $0.025 with it;
    // gpt-mini $0.0075 with its repair.
    const h = await harness({ tournament: { cost_cap_usd: 0.035 } });
    fake.script('claude-b', findings(EYES));
    fake.script('gpt-mini', findings(EYES_2));
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    // One premium member plus the cheap one fit; claude-b rather than gpt-a, so the two are different providers.
    expect(t.members.map((m) => m.model_id)).toEqual(['claude-b', 'gpt-mini']);
    expect(t.notes[0]).toMatch(/3 members did not fit/);
    expect(t.reserved_usd).toBeLessThanOrEqual(0.035);

    h.app.services.settings.set({ tournament: { cost_cap_usd: 0.001 } });
    await expect(h.service.start({ task: 'continuity_check', input: MANUSCRIPT })).rejects.toMatchObject({
      code: 'budget_exceeded',
    });
  });

  it('the cost cap holds the judges too: a prose tournament whose members used it all leaves the pick to the writer', async () => {
    const h = await harness();
    const input = 'Mara waits at the harbour in the rain.';
    const quote = await h.service.quoteSeats({ task: 'scene_draft', input });
    if (quote.kind !== 'tournament') throw new Error(JSON.stringify(quote));
    const cap = Math.ceil(quote.total_usd * 1e6 + 1) / 1e6;
    h.app.services.settings.set({ tournament: { cost_cap_usd: cap } });
    // Every member uses all its reservation was made for: nothing of the cap is left for a judge.
    for (const m of quote.members) {
      fake.script(m.model_id, {
        text: 'The rain came in sideways.',
        inputTokens: quote.input_tokens,
        outputTokens: quote.max_output_tokens,
      });
    }
    fake.script('gpt-mini', { json: { winner: 'A', reason: 'steadier' } });
    const t = await h.service.start({ task: 'scene_draft', input });
    const charged = ledgerRows(h).reduce((sum, r) => sum + (r.charged_micros ?? 0), 0) / 1e6;
    expect(charged).toBeLessThanOrEqual(cap);
    expect(t.judging).toBeNull();
    expect(t.notes.join(' ')).toMatch(
      /No judge fits the \$[\d.]+ left of the tournament cap.*pick the answer you prefer/,
    );
    expect(ledgerRows(h).filter((r) => r.model_id === 'gpt-mini')).toHaveLength(0);
  });

  it('stopped while its judge compares, a prose tournament ends as stopped, not scored as if there had been no judge', async () => {
    const h = await harness();
    const input = 'Mara waits at the harbour in the rain.';
    const quote = await h.service.quoteSeats({ task: 'scene_draft', input });
    if (quote.kind !== 'tournament') throw new Error(JSON.stringify(quote));
    for (const m of quote.members) fake.script(m.model_id, { text: 'The rain came in sideways.' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    fake.script('gpt-mini', { json: { winner: 'A', reason: 'steadier' }, gate });
    try {
      const running = h.service.start({ task: 'scene_draft', input });
      // Every member has answered; the judge has its first comparison.
      while (!fake.requests.some((r) => r.model === 'gpt-mini')) await new Promise((resolve) => setImmediate(resolve));
      const [listed] = h.service.list({});
      expect(h.service.cancel(listed!.id)).toBe(true);
      const t = await running;
      // It read "done" with no judging, as if no judge could have run.
      expect(t.status).toBe('failed');
      expect(t.error?.code).toBe('cancelled');
      expect(ledgerRows(h).filter((r) => r.state === 'reserved')).toHaveLength(0);
    } finally {
      release();
    }
  });

  it('a member whose provider charged past its holds this month is priced at that multiple: the cap still holds', async () => {
    const h = await harness();
    // gpt-a's provider counted far more input than Quire held for one call this month.
    fake.script('gpt-a', { text: 'ok', inputTokens: 30_000, outputTokens: 5 });
    await h.runs.start({ task: 'scene_draft', input: 'Rain.', model: 'gpt-a', single: true });
    const ratio = h.app.services.ledger.overrunRatios().get('gpt-a')!;
    expect(ratio).toBeGreaterThan(2);
    fake.reset();
    const input = 'Mara waits at the harbour in the rain.';
    const quote = await h.service.quoteSeats({ task: 'scene_draft', input });
    if (quote.kind !== 'tournament') throw new Error(JSON.stringify(quote));
    const worst = new Map(quote.members.map((m) => [m.model_id, m.worst_case_usd]));
    // The same price and the same request as claude-b: only the multiple differs.
    expect(worst.get('gpt-a')! / worst.get('claude-b')!).toBeCloseTo(ratio, 2);
    const cap = Math.ceil(quote.total_usd * 1e6 + 1) / 1e6;
    h.app.services.settings.set({ tournament: { cost_cap_usd: cap } });
    // Every member's stream is cut: usage unknown, each charged its whole reservation.
    for (const m of quote.members) {
      fake.script(m.model_id, { text: 'one two three', alwaysFault: { kind: 'reset', afterTokens: 1 } });
    }
    const before = ledgerRows(h).length;
    const t = await h.service.start({ task: 'scene_draft', input });
    const charged = ledgerRows(h)
      .slice(before)
      .reduce((sum, r) => sum + (r.charged_micros ?? 0), 0);
    expect(charged / 1e6).toBeLessThanOrEqual(cap);
    expect(t.reserved_usd).toBeLessThanOrEqual(cap);
  });

  it('counts the passage once per way of counting, not once per candidate model', async () => {
    const h = await harness();
    const tokens = h.app.services.tokens;
    const count = tokens.count.bind(tokens);
    let counts = 0;
    tokens.count = (spec, request) => (counts++, count(spec, request));
    await h.service.quote({ task: 'continuity_check', input: MANUSCRIPT });
    // Four candidates: two OpenAI models count alike (o200k); Anthropic's and DeepSeek's estimates each their own.
    expect(counts).toBe(3);
  });

  it("a member's hold counts the whole request it is sent, the findings schema included, as a single run's does", async () => {
    const h = await harness();
    const good = { findings: [] };
    for (const id of ['gpt-a', 'claude-b', 'deepseek-c']) fake.script(id, { json: good });
    const quote = await h.service.quote({ task: 'continuity_check', input: MANUSCRIPT });
    await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    const spec = registry[1]!; // claude-b: Anthropic's wire, the schema sent as a tool
    const definition = shippedTaskLibrary().get('continuity_check')!;
    const counted = await h.app.services.tokens.count(spec, {
      messages: taskMessages(definition, { passage: MANUSCRIPT }),
      jsonSchema: answerJsonSchema('findings', [])!,
    });
    const row = ledgerRows(h).find((r) => r.model_id === 'claude-b')!;
    // $1 per million in, $4 per million out: what the hold allows for the input, in tokens.
    const heldInput = row.reserved_micros - 4 * quote.max_output_tokens;
    expect(heldInput).toBeGreaterThanOrEqual(counted.tokens);
    expect(quote.members.find((m) => m.model_id === 'claude-b')!.worst_case_usd).toBeGreaterThanOrEqual(
      (counted.tokens * 1 + quote.max_output_tokens * 4) / 1e6,
    );
  });

  it('a passage too long for the models to read whole says so: a tournament does not run in parts', async () => {
    const small = registry.map((spec) => ({ ...spec, context_window: 8_000 }));
    const h = await harness(undefined, small);
    await expect(h.service.start({ task: 'continuity_check', input: LONG_PASSAGE })).rejects.toMatchObject({
      code: 'unavailable',
      // It read "…none are available. 4 more could run it, but…": none, then four.
      message:
        'A tournament needs at least two models that can read this passage at once, and none can: it is too long ' +
        'for the 4 models that could run this task, and a tournament does not run in parts. Try it on a chapter or ' +
        'a scene at a time.',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('a passage only one model reads whole says so, and that it is too long for the others', async () => {
    const oneLarge = registry.map((spec, i) => (i === 0 ? spec : { ...spec, context_window: 8_000 }));
    const h = await harness(undefined, oneLarge);
    await expect(h.service.start({ task: 'continuity_check', input: LONG_PASSAGE })).rejects.toMatchObject({
      code: 'unavailable',
      message:
        'A tournament needs at least two models that can read this passage at once, and only one can: it is too ' +
        'long for the 3 others that could run this task, and a tournament does not run in parts. Try it on a ' +
        'chapter or a scene at a time.',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('models too small for the task’s instruction and answer are no passage to shorten: the step is the answer or a model', async () => {
    // 1,500 tokens at once: less than a continuity check's answer alone, however short the passage.
    const oneLarge = registry.map((spec, i) => (i === 0 ? spec : { ...spec, context_window: 1_500 }));
    const h = await harness(undefined, oneLarge);
    await expect(h.service.start({ task: 'continuity_check', input: MANUSCRIPT })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(
        /^A tournament needs at least two models that can run this task, and only one can: the 3 others that could run it read too little at once to hold this task's instruction and its answer \(up to [\d,]+ tokens\), however short the passage\. Pick a shorter answer length, or add a model with a larger context: add an API key/,
      ),
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('one model that can run the task says what gives it a second, not to check the network', async () => {
    const h = await harness(undefined, registry.slice(0, 1));
    const refused = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT }).then(
      () => expect.unreachable('it was refused'),
      (error: QuireError) => error.toInfo(),
    );
    // The Workbench added "Check that the service is reachable (network, endpoint URL, or Quire host), then retry."
    expect(refused).toEqual({
      code: 'unavailable',
      retryable: false,
      advised: true,
      message:
        'A tournament needs at least two models that can run this task; only one is available. Add an API key for ' +
        'another provider in Settings, or download a local model on the Models screen, for a second model that can run it.',
    });
    // Too long for all but one: the message's own step (a shorter text) is the one said.
    const small = registry.map((spec, i) => (i === 0 ? spec : { ...spec, context_window: 8_000 }));
    const long = await (
      await harness(undefined, small)
    ).service
      .start({ task: 'continuity_check', input: LONG_PASSAGE })
      .then(
        () => expect.unreachable('it was refused'),
        (error: QuireError) => error.toInfo(),
      );
    expect(long).toMatchObject({ code: 'unavailable', advised: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('reserves members together: when the set does not fit the month, nothing is reserved and no member starts', async () => {
    const h = await harness({ orchestrator: { monthly_budget: 0.005 } });
    await expect(
      h.service.start({ task: 'continuity_check', input: MANUSCRIPT, models: ['gpt-a', 'claude-b'] }),
    ).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(ledgerRows(h)).toHaveLength(0);
    expect(fake.requests).toHaveLength(0);
  });

  it('a member over the budget left is refused with steps a tournament can take, not "Let Quire choose"', async () => {
    const h = await harness({ orchestrator: { monthly_budget: 0.005 } });
    const refused = (error: QuireError) => error.toInfo();
    const picked = await h.service
      .start({ task: 'continuity_check', input: MANUSCRIPT, models: ['gpt-a', 'claude-b'] })
      .then(() => expect.unreachable('it was refused'), refused);
    expect(picked).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(picked.message).not.toMatch(/Let Quire choose|The model you picked/);
    expect(picked.message).toMatch(
      /^A member you picked for this tournament, .+, would cost about \$[\d.]+, more than the \$[\d.]+ left this month\. /,
    );
    expect(picked.message).toMatch(
      /Pick other members or let Quire pick them, run Continuity check on one model \(turn its tournament off in Settings → Tournaments\), or raise the monthly budget in Settings\.$/,
    );
    // Quire's own members, each within the budget left but no two together: the same steps but picking members.
    h.app.services.settings.set({ orchestrator: { monthly_budget: 0.03 } });
    const chosen = await h.service
      .start({ task: 'continuity_check', input: MANUSCRIPT })
      .then(() => expect.unreachable('it was refused'), refused);
    expect(chosen).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(chosen.message).toMatch(
      /left in this month's budget\. Run Continuity check on one model \(turn its tournament off in Settings → Tournaments\), or raise the monthly budget in Settings\.$/,
    );
    // A budget so nearly spent that fewer than two of Quire's own members fit even alone: the budget is why, and its
    // steps are said (it read "needs at least two models … only one is available", as if models were missing).
    h.app.services.settings.set({ orchestrator: { monthly_budget: 0.005 } });
    const tiny = await h.service
      .start({ task: 'continuity_check', input: MANUSCRIPT })
      .then(() => expect.unreachable('it was refused'), refused);
    expect(tiny).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(tiny.message).toMatch(
      /^A tournament needs at least two models that fit in the \$[\d.]+ left this month, and only one does\. Run Continuity check on one model \(turn its tournament off in Settings → Tournaments\), or raise the monthly budget in Settings\.$/,
    );
    const verifying = await h.service
      .start({ task: 'continuity_check', input: MANUSCRIPT, mode: 'verification' })
      .then(() => expect.unreachable('it was refused'), refused);
    expect(verifying).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(verifying.message).toMatch(
      /^Verification needs at least two models that fit in the \$[\d.]+ left this month/,
    );
  });

  it('verification: a rejection drops confidence to 0.3 or less and is shown with its issues', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES, INN));
    fake.script('gpt-mini', { json: { verdict: 'approve', issues: [] } });
    const approved = await h.service.start({
      task: 'continuity_check',
      input: MANUSCRIPT,
      mode: 'verification',
      models: ['gpt-a', 'gpt-mini'],
    });
    fake.script('gpt-mini', { json: { verdict: 'reject', issues: ['The inn is rebuilt in chapter 13.'] } });
    const rejected = await h.service.start({
      task: 'continuity_check',
      input: MANUSCRIPT,
      mode: 'verification',
      models: ['gpt-a', 'gpt-mini'],
    });
    expect(approved.verification).toEqual({ verifier_model_id: 'gpt-mini', verdict: 'approve', issues: [] });
    expect(rejected.verification).toMatchObject({ verdict: 'reject', issues: ['The inn is rebuilt in chapter 13.'] });
    expect(rejected.members.map((m) => m.role)).toEqual(['primary', 'verifier']);
    expect(rejected.confidence!.value).toBeLessThanOrEqual(0.3);
    expect(rejected.confidence!.value).toBeLessThan(approved.confidence!.value);
    for (const f of rejected.findings) expect(f.confidence.value).toBeLessThanOrEqual(0.3);
    expect(rejected.findings[0]!.confidence.ingredients).toMatchObject({ verifier: 'reject', agreement: null });
    // The verifier saw the primary's findings.
    const review = fake.requests.filter((r) => r.model === 'gpt-mini').at(-1)!;
    expect(JSON.stringify(review.body)).toContain('Crooked Inn burned down');
  });

  it("verification: a review that is not a verdict is said in a writer's words, never as 'verdict JSON'", async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('gpt-mini', { text: 'Looks fine to me.' });
    const t = await h.service.start({
      task: 'continuity_check',
      input: MANUSCRIPT,
      mode: 'verification',
      models: ['gpt-a', 'gpt-mini'],
    });
    expect(t.verification).toMatchObject({ verdict: null });
    expect(t.members.find((m) => m.role === 'verifier')).toMatchObject({
      status: 'failed',
      error: {
        code: 'provider_error',
        message:
          'gpt-mini did not answer its review in the form Quire asked for, so its review was left out; the ' +
          'confidence is without it.',
      },
    });
  });

  it('a verdict from the writer feeds quality estimates and agreement rates, and is final', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', findings(INN));
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    const before = t.members.find((m) => m.model_id === 'deepseek-c')!.history;
    const resolved = h.service.resolve({ tournament_id: t.id, finding_id: 'f2', verdict: 'accept' });
    expect(resolved.findings[1]!.resolution).toBe('accepted');
    expect(h.feedback.statsFor('deepseek-c', 'continuity_check')).toEqual({ count: 1, sum: 10 });
    expect(h.feedback.statsFor('gpt-a', 'continuity_check')).toBeUndefined();
    expect(() => h.service.resolve({ tournament_id: t.id, finding_id: 'f2', verdict: 'dismiss' })).toThrow(
      /already accepted/,
    );
    expect(
      h.service.resolve({ tournament_id: t.id, finding_id: 'f2', verdict: 'accept' }).findings[1]!.resolution,
    ).toBe('accepted');

    const next: Tournament = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(next.members.find((m) => m.model_id === 'deepseek-c')!.history).toBeGreaterThan(before);
    expect(next.members.find((m) => m.model_id === 'gpt-a')!.history).toBeLessThan(before);
    expect(h.service.list({}).map((s) => s.id)).toEqual([next.id, t.id]);
    expect(h.service.list({})[1]!.counts).toEqual({ consensus: 1, disputed: 1, contradicted: 0 });
  });

  it("members are asked with the task library's findings format and JSON Schema, the same a single run sends", async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    await h.service.start({ task: 'continuity_check', input: MANUSCRIPT, models: ['gpt-a', 'claude-b'] });
    const asked = fake.requests.find((r) => r.model === 'gpt-a')!.body as {
      messages: { role: string; content: string }[];
      response_format?: { json_schema?: { name: string; schema: unknown } };
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    expect(asked.response_format?.json_schema).toMatchObject(answerJsonSchema('findings', [])!);
    const definition = shippedTaskLibrary().get('continuity_check')!;
    const single = taskMessages(definition, { passage: MANUSCRIPT });
    expect(asked.messages.map((m) => m.content)).toEqual(single.map((m) => m.content));
    // As long an answer as a single run allows (the definition's), not the task's typical one: a member's findings are
    // not cut shorter than the same check run alone.
    expect(asked.max_completion_tokens ?? asked.max_tokens).toBe(definition.max_output_tokens);
    expect(definition.max_output_tokens).toBeGreaterThan(h.tasks.get('continuity_check')!.typical_output_tokens);
  });

  it("a contradiction cited at both places: each quote located by Quire's own numbering and stored", async () => {
    const h = await harness();
    const both = (claim: string) =>
      finding(
        claim,
        [
          // The model's own words for the places are not used: Quire finds them.
          { quote: 'her green eyes', location: 'Chapter 99' },
          { quote: 'her blue eyes flashed', location: 'somewhere near the end' },
        ],
        'high',
      );
    fake.script('gpt-a', findings(both("Mara's eyes are green in The Harbour but blue in The Lamplight")));
    fake.script('claude-b', findings(both("Mara's eye colour changes from green to blue")));
    const t = await h.service.start({ task: 'continuity_check', input: CHAPTERS, models: ['gpt-a', 'claude-b'] });
    expect(t.findings).toHaveLength(1);
    const [eyes] = t.findings;
    expect(eyes!.evidence).toEqual([
      {
        quote: 'her green eyes',
        location: { chapter: 1, chapter_title: 'The Harbour', paragraph: 1, label: 'The Harbour, paragraph 1' },
        found: true,
      },
      {
        quote: 'her blue eyes flashed',
        location: { chapter: 2, chapter_title: 'The Lamplight', paragraph: 1, label: 'The Lamplight, paragraph 1' },
        found: true,
      },
    ]);
    expect(eyes!.statements.map((s) => s.evidence.map((e) => e.location?.label))).toEqual([
      ['The Harbour, paragraph 1', 'The Lamplight, paragraph 1'],
      ['The Harbour, paragraph 1', 'The Lamplight, paragraph 1'],
    ]);
    expect(eyes!.confidence.ingredients.quotes).toBe(1);
    // Stored as shown: read back from SQLite.
    expect(h.service.get(t.id).findings).toEqual(t.findings);
  });

  it("a quote that is not in the text is marked not found and lowers its finding's confidence", async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    // deepseek-c reports two points alone: one quoted from the text, one from a sentence the writer never wrote.
    const INVENTED = finding(
      'The harbour is frozen in chapter 3 but Mara watches boats sail',
      [{ quote: 'the harbour lay frozen under the moon', location: 'Chapter 3' }],
      'high',
    );
    fake.script('deepseek-c', findings(INN, INVENTED));
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    const inn = t.findings.find((f) => f.claim === INN.claim)!;
    const invented = t.findings.find((f) => f.claim === INVENTED.claim)!;
    expect(inn.evidence).toMatchObject([{ quote: 'They drank at the Crooked Inn', found: true }]);
    expect(inn.evidence[0]!.location).not.toBeNull();
    expect(invented.evidence).toEqual([
      { quote: 'the harbour lay frozen under the moon', location: null, found: false },
    ]);
    expect(invented.statements[0]!.evidence[0]!.found).toBe(false);
    // Same member, same standing, same support: only the quote differs.
    expect(inn.confidence.ingredients.quotes).toBe(1);
    expect(invented.confidence.ingredients.quotes).toBe(0);
    expect(invented.confidence.value).toBeLessThan(inn.confidence.value);
  });

  it('an answer that is not the findings contract drops its member, saying what was wrong', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    // The tournament's old shape (one evidence_quote) is not the task library's findings.
    fake.script(
      'deepseek-c',
      findings({ claim: 'x', evidence_quote: 'her blue eyes', location: null, severity: 'high' }),
    );
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.status).toBe('done');
    const dropped = t.members.find((m) => m.model_id === 'deepseek-c')!;
    expect(dropped).toMatchObject({ status: 'failed', finding_count: null });
    // What was wrong in the words a single run says it with, never the schema check's ("findings.0.evidence: …").
    expect(dropped.error).toEqual({
      code: 'provider_error',
      message:
        'DeepSeek C did not answer in the form Quire asked for, even after being asked once more (parts of its ' +
        'answer were missing or in the wrong shape), so its answer was left out.',
    });
    expect(t.notes).toContain(
      'DeepSeek C was dropped: it did not answer in the form Quire asked for, even after being asked once more ' +
        '(parts of its answer were missing or in the wrong shape).',
    );
    expect(JSON.stringify([dropped.error, t.notes])).not.toMatch(/evidence|findings\.0/);
    expect(t.findings[0]).toMatchObject({ status: 'consensus', supporters: ['gpt-a', 'claude-b'] });
  });

  it('a member whose answer cannot be read gets one repair inside the group reservation, and counts when it reads', async () => {
    const h = await harness();
    fake.script('gpt-a', findings(EYES));
    fake.script('claude-b', findings(EYES_2));
    fake.script('deepseek-c', { ...findings(EYES_3), replies: [{ text: 'Here are my findings: the eyes.' }] });
    const t = await h.service.start({ task: 'continuity_check', input: MANUSCRIPT });
    expect(t.status).toBe('done');
    const repaired = t.members.find((m) => m.model_id === 'deepseek-c')!;
    expect(repaired).toMatchObject({ status: 'done', finding_count: 1 });
    const sent = fake.requests.filter((r) => r.model === 'deepseek-c');
    expect(sent).toHaveLength(2);
    expect((sent[1]!.body.messages as { content: string }[]).at(-1)!.content).toMatch(/could not be used/);
    expect(t.findings[0]).toMatchObject({ status: 'consensus' });
    expect(t.findings[0]!.supporters).toContain('deepseek-c');
    // Held with the members (each call and each findings member's repair), settled by the one rule; the repairs
    // not needed are given back. The member's cost is both its calls'; everything stays within what was reserved.
    const rows = ledgerRows(h);
    const repairRows = rows.filter((r) => r.model_id === 'deepseek-c');
    expect(repairRows.map((r) => r.state)).toEqual(['settled', 'settled']);
    expect(rows.filter((r) => r.state === 'released')).toHaveLength(2);
    expect(repaired.cost_usd).toBeCloseTo((repairRows[0]!.charged_micros! + repairRows[1]!.charged_micros!) / 1e6, 6);
    expect(t.cost_usd).toBeLessThanOrEqual(t.reserved_usd);
    expect(repaired.worst_case_usd).toBeGreaterThan(repairRows[0]!.reserved_micros / 1e6);
  });

  it('prose: a judge outside the tournament compares each pair in both orders; a judge that follows the order decides nothing', async () => {
    const h = await harness();
    fake.script('gpt-a', { text: 'The rain came in sideways over the harbour.' });
    fake.script('claude-b', { text: 'Rain. The harbour. Mara waited.' });
    fake.script('deepseek-c', { text: 'Mara watched the harbour drown in rain.' });
    // gpt-mini judges, and always prefers whichever answer it reads first.
    fake.script('gpt-mini', { json: { winner: 'A', reason: 'reads better' } });
    const t = await h.service.start({ task: 'scene_draft', input: 'Mara waits at the harbour in the rain.' });
    expect(t.kind).toBe('prose');
    expect(t.members.map((m) => m.model_id)).toEqual(['gpt-a', 'claude-b', 'deepseek-c']);
    expect(t.members.every((m) => m.text.length > 0)).toBe(true);
    expect(t.judging!.judge_model_id).toBe('gpt-mini');
    expect(fake.requests.filter((r) => r.model === 'gpt-mini')).toHaveLength(6);
    expect(t.judging!.pairs.every((p) => p.position_bias && p.winner === 'tie')).toBe(true);
    expect(t.judging!.consistency).toBe(0);
    expect(t.notes.join(' ')).toMatch(/changed its mind when the order was swapped/);
    expect(t.confidence!.ingredients.agreement).toBe(0.5);
    // Judge calls are charged like the members' (3 members + 6 bouts).
    expect(ledgerRows(h).filter((r) => r.state === 'settled')).toHaveLength(9);
  });
});
