// A plain runs:start whose passage is longer than the chosen model's context, over the real HTTP host and the openai
// SDK against the loopback fake (a continuity checker reading the story so far): one run with parts, not a refusal.
import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { continuityResponder } from '../../test/fixtures/continuity-fake';
import { BROWN_EYES, GREEN_EYES, contradictionManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import { usdText } from '../../src-preload/contract/usd-text';
import { JobsRepo } from '../manuscripts/jobs-repo';
import { partRunId } from './run-job';
import { parseStructure } from '../manuscripts/structure';

const h = useExecutionHarness();
const CONTEXT = 8192;
const GREEN = GREEN_EYES;
const BROWN = BROWN_EYES;
const text = contradictionManuscript();
const small = endpointModel('small', 9, CONTEXT);

async function smallModel() {
  const host = await h.host();
  await host.endpoint('ep', [small]);
  h.server().script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
  const events: PushedEvent[] = [];
  host.app.events.subscribe((event) => events.push(event));
  return { ...host, events };
}

/** A continuity check in parts under `runId`, its first part's call held at the provider until `release`. */
async function continuityInFlight(runId: string) {
  const host = await smallModel();
  let release!: () => void;
  h.server().script('small', {
    respond: continuityResponder(),
    inputTokens: 3000,
    outputTokens: 200,
    gate: new Promise<void>((r) => (release = r)),
  });
  const running = host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
  await h.server().nextRequest('small');
  return { host, running, release };
}

/** Runs the continuity check as `runId` and stops it once part 2 has finished (parts 1 and 2 are kept). */
async function stoppedAfterPart2(host: Awaited<ReturnType<typeof smallModel>>, runId: string) {
  const unsubscribe = host.app.events.subscribe((event) => {
    if (event.name === 'run:part' && event.payload.part === 2 && event.payload.phase === 'finished')
      host.stopNow(runId);
  });
  try {
    return await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
  } finally {
    unsubscribe();
  }
}

const userText = (body: Record<string, unknown>) =>
  (body.messages as { role: string; content: string }[])
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');

describe('runs:start with a passage longer than the model can read at once', () => {
  it('ends when a part is declined, saying so, without paying for a repair of an answer that never came', async () => {
    const host = await smallModel();
    h.server().script('small', { refusal: "I can't help with that.", inputTokens: 3000, outputTokens: 5 });
    const started = await host.call('runs:start', { task: 'continuity_check', input: text });
    expect(started.body.error).toMatchObject({
      code: 'provider_error',
      message: expect.stringMatching(/declined this passage: “I can't help with that\.”/),
    });
    expect(h.server().requests).toHaveLength(1);
  });

  it("a part that fails ends the run with the part's own step and retry, no general step after it", async () => {
    const host = await smallModel();
    // Unreadable, and so dear that asking once more would pass what the run was quoted: its own step ends it.
    h.server().script('small', { text: 'not json at all', inputTokens: 3000, outputTokens: 1_000_000 });
    const dear = (await host.call('runs:start', { task: 'continuity_check', input: text })).body.error;
    expect(dear).toMatchObject({ code: 'provider_error', retryable: true, advised: true });
    expect(dear.message).toMatch(/^Part 1: .+ Try again, or choose another model\.$/);
    // A server error: a retry may help, and the general step is the one to show.
    h.server().script('small', { alwaysFault: { kind: 'status', status: 500, message: 'boom' } });
    const failed = (await host.call('runs:start', { task: 'continuity_check', input: text })).body.error;
    expect(failed).toMatchObject({
      code: 'provider_error',
      retryable: true,
      message: expect.stringMatching(/^Part 1: /),
    });
    expect(failed.advised).toBeUndefined();
  });

  it('is split into one run with parts, not refused: every paragraph sent, parts fit, the planted contradiction located', async () => {
    const host = await smallModel();
    const quote = (await host.call('runs:quote', { task: 'continuity_check', input: text })).body.value;
    expect(quote).toMatchObject({ kind: 'job', model_id: 'ep/small', parts: expect.any(Number) });
    expect(quote.parts).toBeGreaterThan(3);

    const started = await host.call('runs:start', { task: 'continuity_check', input: text });
    expect(started.body.error).toBeUndefined();
    const run = started.body.value;
    expect(run).toMatchObject({ status: 'completed', model_id: 'ep/small', tournament_id: null });
    const requests = h.server().requests;
    expect(requests).toHaveLength(quote.parts);

    // Coverage: every paragraph (and heading) of the passage went out, intact, in some part.
    const sent = requests.map((r) => userText(r.body));
    const { blocks } = parseStructure(text);
    const missing = blocks.filter((b) => !sent.some((s) => s.includes(text.slice(b.start, b.end))));
    const long = missing.filter((b) => b.end - b.start > 4000);
    // A paragraph longer than a part is spread over consecutive parts at sentences: its sentences all went out.
    expect(missing).toEqual(long);
    for (const b of long)
      for (const sentence of text.slice(b.start, b.end).split(/(?<=[.!?]) /))
        expect(sent.some((s) => s.includes(sentence))).toBe(true);

    // Parts respect the context: each whole request (instruction, story so far, passage) plus its answer fits.
    const spec = host.app.services.registry.get('ep/small')!;
    for (const r of requests) {
      const messages = r.body.messages as { role: 'system' | 'user'; content: string }[];
      const { tokens } = await host.app.services.tokens.count(spec, { messages });
      expect(tokens + ((r.body.max_completion_tokens ?? r.body.max_tokens) as number)).toBeLessThanOrEqual(CONTEXT);
    }
    // The story so far is carried: every part after the one with chapter 2's green eyes is told of them.
    const green = sent.findIndex((s) => s.includes(GREEN));
    const brown = sent.findIndex((s) => s.includes(BROWN));
    expect(brown).toBeGreaterThan(green);
    for (const s of sent.slice(green + 1)) expect(s.startsWith(`Story so far:\nFacts:\n- ${GREEN}`)).toBe(true);

    // The contradiction: reported once (merged across parts), both quotes located in Quire's numbering.
    const findings = run.answer.findings;
    expect(findings).toHaveLength(1);
    expect(findings[0].evidence.map((e: { match: string }) => e.match)).toEqual(['exact', 'exact']);
    expect(findings[0].evidence.map((e: { location: { chapter: number; paragraph: number } }) => e.location)).toEqual([
      expect.objectContaining({ chapter: 2, paragraph: 3 }),
      expect.objectContaining({ chapter: 9, paragraph: 5 }),
    ]);
    expect(text.slice(findings[0].evidence[0].start, findings[0].evidence[0].end)).toBe(GREEN);

    // Spend within the quote's bounds; one run in the history, its parts' cost and tokens summed into it.
    expect(run.cost_usd).toBeGreaterThan(0);
    expect(run.cost_usd).toBeLessThanOrEqual(quote.total_usd);
    expect(run.input_tokens).toBe(3000 * quote.parts);
    const history = (await host.call('runs:list')).body.value.runs;
    expect(history.map((r: { run_id: string }) => r.run_id)).toEqual([run.run_id]);
    expect(history[0]).toMatchObject({ status: 'completed', cost_usd: run.cost_usd });

    // Progress: part N of M, started and finished, every event under the run's id.
    const parts = host.events.filter((e) => e.name === 'run:part').map((e) => e.payload as Record<string, unknown>);
    expect(parts).toHaveLength(2 * quote.parts);
    expect(parts.every((p) => p.run_id === run.run_id && p.of === quote.parts)).toBe(true);
    expect(parts.filter((p) => p.phase === 'finished').map((p) => p.part)).toEqual(
      Array.from({ length: quote.parts }, (_, i) => i + 1),
    );
  });

  it('cancel stops the job between parts; finished parts are kept and the same run id resumes after them', async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e5f';
    const stopped = await stoppedAfterPart2(host, runId);
    expect(stopped.body.error).toMatchObject({ code: 'cancelled' });
    const record = (await host.call('runs:get', { run_id: runId })).body.value;
    expect(record.status).toBe('cancelled');
    const finished = new JobsRepo(host.app.services.db).parts(runId).length;
    expect(finished).toBeGreaterThanOrEqual(2);
    const sentBefore = h.server().requests.length;
    const total = new JobsRepo(host.app.services.db).get(runId)!.plan.parts.length;
    expect(sentBefore).toBeLessThan(total);
    // Reopened from the history, the run says how far it got (the Workbench offers Resume from it).
    expect(record.resume).toEqual({ parts_done: finished, parts: total });

    const resumed = await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    expect(resumed.body.value).toMatchObject({ run_id: runId, status: 'completed' });
    // Only the unfinished parts were sent again.
    expect(h.server().requests.length - sentBefore).toBe(total - finished);
    expect(resumed.body.value.answer.findings).toHaveLength(1);
  });

  it('a stopped job is resumed only on the text it was started with: a changed passage or task is refused in plain words', async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e60';
    await stoppedAfterPart2(host, runId);
    const sentBefore = h.server().requests.length;
    const refusals = [
      { task: 'continuity_check', input: `${text}\n\nAn epilogue the writer added after stopping.` },
      { task: 'continuity_check', input: 'Short.' },
      { task: 'line_edit', input: text },
    ];
    for (const changed of refusals) {
      const refused = (await host.call('runs:start', { ...changed, run_id: runId })).body;
      // Its own step ends it: no general "pick another name or wait" after it.
      expect(refused.error).toMatchObject({ code: 'conflict', advised: true });
      // The writer's words: what happened and what to do, without the run's id or the task's internal name.
      expect(refused.error.message).not.toContain(runId);
      expect(refused.error.message).not.toMatch(/continuity_check|line_edit/);
    }
    const done = new JobsRepo(host.app.services.db).parts(runId).length;
    const charged = host.app.services.ledger.chargedUnder(`${runId}/part/`);
    expect((await host.call('runs:start', { ...refusals[0]!, run_id: runId })).body.error.message).toBe(
      'Continuity check cannot pick up where it left off: its passage has changed since it was stopped. Running ' +
        `it again starts over and pays again for the work of its ${done} finished parts (this run has cost ` +
        `${usdText(charged / 1e6)} so far). To keep them, Resume it on the passage it was started with.`,
    );
    expect((await host.call('runs:start', { ...refusals[2]!, run_id: runId })).body.error.message).toBe(
      'This stopped run is a Continuity check, not a Line edit. Resume it as a Continuity check, or run Line edit on its own.',
    );
    // Nothing was sent, and the stopped run is still there to resume on its own text.
    expect(h.server().requests.length).toBe(sentBefore);
    expect((await host.call('runs:get', { run_id: runId })).body.value.status).toBe('cancelled');
    const resumed = await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    expect(resumed.body.value).toMatchObject({ run_id: runId, status: 'completed' });
    const resumedCalls = h.server().requests.length - sentBefore;
    // Complete now: nothing to resume, and no general step after saying so.
    expect((await host.call('runs:resume', { run_id: runId })).body.error).toMatchObject({
      code: 'conflict',
      message: 'This run is already complete: there is nothing left to resume.',
      advised: true,
    });
    // Its id is still its own: another task under it is refused as under a single run's id, not answered with it.
    expect((await host.call('runs:start', { ...refusals[2]!, run_id: runId })).body.error).toEqual({
      code: 'conflict',
      message:
        'That run id already names a run of Continuity check, not Line edit. Start Line edit with a new run id, ' +
        'or without one (Quire then makes one).',
      retryable: false,
      advised: true,
    });
    expect(h.server().requests.length).toBe(sentBefore + resumedCalls);
  });

  it('a run in parts still in flight is refused for another task under its id, in a single run’s words, and goes on', async () => {
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e63';
    const { host, running, release } = await continuityInFlight(runId);
    const other = await host.call('runs:start', { task: 'line_edit', input: text, run_id: runId });
    // Refused at once: not joined to the continuity check, whose answer (or failure) it would otherwise wait for.
    expect(other.body.error).toEqual({
      code: 'conflict',
      message:
        'That run id already names a run of Continuity check, not Line edit. Start Line edit with a new run id, ' +
        'or without one (Quire then makes one).',
      retryable: false,
      advised: true,
    });
    release();
    expect((await running).body.value).toMatchObject({ run_id: runId, task: 'continuity_check', status: 'completed' });
    // Only the continuity check's parts were sent.
    expect(h.server().requests).toHaveLength(new JobsRepo(host.app.services.db).get(runId)!.plan.parts.length);
  });

  it('a run in parts still in flight is refused for another passage under its id, and goes on with its own', async () => {
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e64';
    const { host, running, release } = await continuityInFlight(runId);
    const edited = text.replace(BROWN, 'Her eyes were the grey of the harbour.');
    const other = await host.call('runs:start', { task: 'continuity_check', input: edited, run_id: runId });
    // Joined, it would answer with findings quoted from a passage the caller did not send.
    expect(other.body.error).toEqual({
      code: 'conflict',
      message:
        'That run id already names a Continuity check of another passage, still running. Start this one with a new ' +
        'run id, or without one (Quire then makes one).',
      retryable: false,
      advised: true,
    });
    // The same passage under its id still joins it.
    const joined = host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    release();
    expect((await running).body.value).toMatchObject({ run_id: runId, status: 'completed' });
    expect((await joined).body.value).toMatchObject({ run_id: runId, status: 'completed' });
    expect(h.server().requests).toHaveLength(new JobsRepo(host.app.services.db).get(runId)!.plan.parts.length);
  });

  it('a stopped job resumes on the model its parts were planned for, even when another would be chosen now', async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e61';
    await stoppedAfterPart2(host, runId);
    // A better model with a smaller context is set up since: the parts left were cut for the first model's context.
    await host.endpoint('ep2', [endpointModel('tiny', 10, 6000)]);
    h.server().script('tiny', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const sentBefore = h.server().requests.length;
    const resumed = await host.call('runs:resume', { run_id: runId });
    expect(resumed.body.value).toMatchObject({ status: 'completed', model_id: 'ep/small' });
    const models = new Set(
      h
        .server()
        .requests.slice(sentBefore)
        .map((r) => r.model),
    );
    expect([...models]).toEqual(['small']);
  });

  it('a stopped job whose model is no longer set up says so on Resume, and resumes once it is set up again', async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e63';
    await stoppedAfterPart2(host, runId);
    const done = new JobsRepo(host.app.services.db).parts(runId).length;
    const sentBefore = h.server().requests.length;
    expect((await host.call('providers:delete', { id: 'ep' })).body.ok).toBe(true);
    const refused = (await host.call('runs:resume', { run_id: runId })).body;
    expect(refused.error).toMatchObject({ code: 'unavailable', advised: true });
    expect(refused.error.message).toBe(
      'Continuity check cannot pick up where it left off: its parts were cut for “small” from your endpoint “ep”, ' +
        'which is no longer set up in Quire. Add that endpoint again in Settings → AI Intelligence, with the same ' +
        `name and model, then Resume: its ${done} finished parts are kept.`,
    );
    // Nothing was sent, and the finished parts are still there to resume.
    expect(h.server().requests.length).toBe(sentBefore);
    expect((await host.call('runs:get', { run_id: runId })).body.value.resume).toMatchObject({ parts_done: done });
    await host.endpoint('ep', [small]);
    const resumed = await host.call('runs:resume', { run_id: runId });
    expect(resumed.body.value).toMatchObject({ status: 'completed', model_id: 'ep/small' });
    const total = new JobsRepo(host.app.services.db).get(runId)!.plan.parts.length;
    expect(h.server().requests.length - sentBefore).toBe(total - done);
  });

  it('a stopped job that the budget left no longer covers says so on Resume with the figures, nothing sent', async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e64';
    await stoppedAfterPart2(host, runId);
    const done = new JobsRepo(host.app.services.db).parts(runId).length;
    const sentBefore = h.server().requests.length;
    const spent = (await host.call('runs:get', { run_id: runId })).body.value.cost_usd as number;
    host.app.services.settings.set({ orchestrator: { monthly_budget: spent + 0.001 } });
    const refused = (await host.call('runs:resume', { run_id: runId })).body;
    expect(refused.error).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(refused.error.message).toMatch(
      new RegExp(
        '^Continuity check cannot pick up where it left off: its \\d+ parts left on small \\(ep\\) may cost up to ' +
          "\\$[\\d.]+ in all; \\$0\\.00\\d+ of this month's budget is left\\. Nothing was run\\. Raise the " +
          `monthly budget in Settings → AI Intelligence, then Resume: its ${done} finished parts are kept\\.$`,
      ),
    );
    expect(h.server().requests.length).toBe(sentBefore);
    expect((await host.call('runs:get', { run_id: runId })).body.value.resume).toMatchObject({ parts_done: done });
    host.app.services.settings.set({ orchestrator: { monthly_budget: null } });
    const resumed = await host.call('runs:resume', { run_id: runId });
    expect(resumed.body.value).toMatchObject({ status: 'completed' });
  });

  it("a stopped job's result shows what its finished parts found, quotes located; Resume ends with the same finding once", async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e60';
    const jobs = new JobsRepo(host.app.services.db);
    // Stopped as soon as a finished part has found the contradiction (the parts after it are not run).
    const unsubscribe = host.app.events.subscribe((event) => {
      if (event.name !== 'run:part' || event.payload.phase !== 'finished') return;
      if (jobs.parts(runId).some((p) => p.findings.length > 0)) host.stopNow(runId);
    });
    const stopped = await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    unsubscribe();
    expect(stopped.body.error).toMatchObject({ code: 'cancelled' });
    expect(jobs.parts(runId).length).toBeLessThan(jobs.get(runId)!.plan.parts.length);
    const record = (await host.call('runs:get', { run_id: runId })).body.value;
    expect(record).toMatchObject({ status: 'cancelled', answer: { kind: 'findings' } });
    expect(record.answer.findings).toHaveLength(1);
    const evidence = record.answer.findings[0].evidence;
    expect(evidence.map((e: { match: string }) => e.match)).toEqual(['exact', 'exact']);
    expect(text.slice(evidence[0].start, evidence[0].end)).toBe(GREEN);

    const resumed = (await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId })).body;
    expect(resumed.value).toMatchObject({ status: 'completed' });
    expect(resumed.value.answer.findings).toEqual(record.answer.findings);
  });

  it("a part stopped mid-call and asked again on Resume: the run's cost counts both calls, as Spend does", async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e61';
    const jobs = new JobsRepo(host.app.services.db);
    // Part 3's call is held at the provider; the writer stops the run while it is there.
    let release!: () => void;
    const unsubscribe = host.app.events.subscribe((event) => {
      if (event.name === 'run:part' && event.payload.part === 2 && event.payload.phase === 'finished')
        h.server().script('small', {
          respond: continuityResponder(),
          inputTokens: 3000,
          outputTokens: 200,
          gate: new Promise<void>((r) => (release = r)),
        });
    });
    const stopping = host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    while (h.server().requests.length < 3) await h.server().nextRequest('small');
    await host.call('runs:cancel', { run_id: runId });
    release();
    expect((await stopping).body.error).toMatchObject({ code: 'cancelled' });
    unsubscribe();
    expect(jobs.parts(runId)).toHaveLength(2);
    const charged = () =>
      (host.app.services.db
        .prepare(`SELECT COALESCE(SUM(charged_micros), 0) FROM ledger WHERE run_id LIKE ? AND state = 'settled'`)
        .pluck()
        .get(`${runId}/part/%`) as number) / 1e6;
    const stopped = (await host.call('runs:get', { run_id: runId })).body.value;
    expect(stopped.cost_usd).toBeCloseTo(charged(), 6);
    expect(stopped.input_tokens).toBe(6000);

    h.server().script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const resumed = (await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId })).body;
    expect(resumed.value).toMatchObject({ status: 'completed' });
    // The stopped call to part 3 was charged (the provider had it); so was part 3 asked again.
    expect(resumed.value.cost_usd).toBeCloseTo(charged(), 6);
    expect(resumed.value.cost_usd).toBeGreaterThan(0);
  });

  it('a Stop that lands while a part is being charged keeps that paid part: Resume goes on after it, not paying again', async () => {
    const host = await smallModel();
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e62';
    const db = host.app.services.db;
    const jobs = new JobsRepo(db);
    const settled = (id: string) =>
      db.prepare(`SELECT COUNT(*) FROM ledger WHERE run_id = ? AND state = 'settled'`).pluck().get(id) as number;
    // The writer's Stop arrives as part 3's charge is written: its call has answered, and is paid.
    let stopped = false;
    const unsubscribe = host.app.events.subscribe((event) => {
      if (event.name !== 'spend:updated' || stopped || settled(partRunId(runId, 3)) === 0) return;
      stopped = true;
      void host.app.dispatcher.call('runs:cancel', { run_id: runId }, { transport: 'internal' });
    });
    const stopping = await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    unsubscribe();
    expect(stopped).toBe(true);
    expect(stopping.body.error).toMatchObject({ code: 'cancelled' });
    // Part 3 is kept with its answer, and nothing after it was asked.
    expect(jobs.parts(runId).map((p) => p.index)).toEqual([0, 1, 2]);
    expect(h.server().requests).toHaveLength(3);
    const total = jobs.get(runId)!.plan.parts.length;
    expect((await host.call('runs:get', { run_id: runId })).body.value.resume).toEqual({ parts_done: 3, parts: total });

    const resumed = await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    expect(resumed.body.value).toMatchObject({ run_id: runId, status: 'completed' });
    // Resume starts at part 4: part 3 was sent once and charged once.
    expect(h.server().requests).toHaveLength(total);
    expect(h.server().requests.filter((r) => JSON.stringify(r.body).includes('part 3 of'))).toHaveLength(1);
    expect(settled(partRunId(runId, 3))).toBe(1);
    expect(resumed.body.value.answer.findings).toHaveLength(1);
  });

  it('a run id of a finished single run is that run: a long passage under it returns it, runs nothing and keeps its cost', async () => {
    const host = await smallModel();
    const runId = '3f2e1d0c-9b8a-4766-8544-332211009988';
    const short = text.slice(0, 2000);
    const first = (await host.call('runs:start', { task: 'continuity_check', input: short, run_id: runId })).body.value;
    expect(first).toMatchObject({ status: 'completed', run_id: runId });
    const stored = (await host.call('runs:get', { run_id: runId })).body.value;
    const sent = h.server().requests.length;
    const again = await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    expect(again.body.value).toEqual({ ...stored, tournament_id: null });
    // Another task under that id is refused, as a single run's id is.
    const other = await host.call('runs:start', { task: 'line_edit', input: text, run_id: runId });
    expect(other.body.error).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/^That run id already names a run of Continuity check, not Line edit\. /),
    });
    expect(h.server().requests.length).toBe(sent);
    expect(new JobsRepo(host.app.services.db).get(runId)).toBeUndefined();
    expect((await host.call('runs:get', { run_id: runId })).body.value).toEqual(stored);
  });

  it('a passage that fits stays a single call, and the quote says so', async () => {
    const host = await smallModel();
    const short = text.slice(0, 2000);
    expect((await host.call('runs:quote', { task: 'continuity_check', input: short })).body.value).toMatchObject({
      kind: 'single',
      retry: true,
    });
    const run = (await host.call('runs:start', { task: 'continuity_check', input: short })).body.value;
    expect(run.status).toBe('completed');
    expect(h.server().requests).toHaveLength(1);
    expect(h.server().requests[0]!.body.messages).toHaveLength(2);
  });

  it("a part's unreadable answer is repaired within the quote: the job's charges stay within its at-most", async () => {
    const host = await smallModel();
    h.server().script('small', {
      respond: continuityResponder(),
      replies: [{ text: 'The eyes change colour, I think.' }],
      inputTokens: 3000,
      outputTokens: 200,
    });
    const quote = (await host.call('runs:quote', { task: 'continuity_check', input: text })).body.value;
    const run = (await host.call('runs:start', { task: 'continuity_check', input: text })).body.value;
    expect(run.status).toBe('completed');
    const requests = h.server().requests;
    expect(requests).toHaveLength(quote.parts + 1);
    expect((requests[1]!.body.messages as { content: string }[]).at(-1)!.content).toMatch(/could not be used/);
    expect(run.answer.findings).toHaveLength(1);
    expect(run.cost_usd).toBeLessThanOrEqual(quote.total_usd);
  });

  it("a part's repair fits the model's context with its answer: a long unreadable answer is not sent back", async () => {
    const host = await smallModel();
    // Part 1's answer is prose nearly as long as the answer allowed, not the findings asked for.
    const prose = 'The eyes change colour and the harbour is different in this part of the story. '.repeat(75);
    h.server().script('small', {
      respond: continuityResponder(),
      replies: [{ text: prose }],
      inputTokens: 3000,
      outputTokens: 200,
    });
    const done = await host.call('runs:start', { task: 'continuity_check', input: text });
    expect(done.body.value).toMatchObject({ status: 'completed' });
    const spec = host.app.services.registry.get('ep/small')!;
    const [first, repair] = h.server().requests as { body: Record<string, unknown> }[];
    const size = async (body: Record<string, unknown>) =>
      (await host.app.services.tokens.count(spec, { messages: body.messages as never })).tokens +
      ((body.max_completion_tokens ?? body.max_tokens) as number);
    expect(await size(first!.body)).toBeLessThanOrEqual(CONTEXT);
    expect(await size(repair!.body)).toBeLessThanOrEqual(CONTEXT);
    // Asked again with what was wrong, the same part in it.
    expect(userText(repair!.body)).toContain(userText(first!.body));
    expect(userText(repair!.body)).toMatch(/Your previous answer could not be used/);
  });

  it("a part's repair that would pass its share of the quote is not asked; the job stops saying why", async () => {
    const host = await smallModel();
    // Part 1's answer cannot be read, and the provider counted far more than its worst case: no room is left.
    h.server().script('small', {
      respond: continuityResponder(),
      replies: [{ text: 'The eyes change colour, I think.' }],
      inputTokens: 5_000_000,
      outputTokens: 200,
    });
    const started = await host.call('runs:start', { task: 'continuity_check', input: text });
    expect(started.body.ok).toBe(false);
    expect(started.body.error.message).toMatch(
      /^Part 1: small \(ep\)'s answer could not be read \(.+\), and asking it once more could cost up to .+ so Quire did not ask/,
    );
    expect(h.server().requests).toHaveLength(1);
  });

  it('checks a Resume against the parts left of the plan it was stored with, after the model’s context changed', async () => {
    const host = await h.host();
    await host.endpoint('ep', [endpointModel('small', 9, 8192)]);
    h.server().script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200 });
    const runId = '5b0c1f3e-2a4d-4c6b-9e8f-0a1b2c3d4e99';
    const unsubscribe = host.app.events.subscribe((event) => {
      if (event.name === 'run:part' && event.payload.part === 2 && event.payload.phase === 'finished')
        host.stopNow(runId);
    });
    await host.call('runs:start', { task: 'continuity_check', input: text, run_id: runId });
    unsubscribe();
    const repo = new JobsRepo(host.app.services.db);
    const stored = repo.get(runId)!;
    const left = stored.plan.parts.length - repo.parts(runId).length;
    // The writer gives the endpoint's model a larger context: planned again, the passage would be fewer, longer parts.
    expect((await host.call('providers:delete', { id: 'ep' })).body.ok).toBe(true);
    await host.endpoint('ep', [endpointModel('small', 9, 16384)]);
    expect((await host.call('runs:quote', { task: 'continuity_check', input: text })).body.value.parts).toBeLessThan(
      stored.plan.parts.length,
    );
    // Each stored part's share of its quote, for the parts left: the least the check may count.
    const leftUsd = ((stored.quote.cost_micros_max / 1e6) * left) / stored.plan.parts.length;
    const spent = (await host.call('runs:get', { run_id: runId })).body.value.cost_usd as number;
    host.app.services.settings.set({ orchestrator: { monthly_budget: spent + leftUsd * 0.9 } });
    const sent = h.server().requests.length;
    const refused = (await host.call('runs:resume', { run_id: runId })).body;
    expect(refused.ok).toBe(false);
    const [, parts, usd] = /its (\d+) parts left on .* may cost up to \$([\d.]+) in all/.exec(refused.error.message)!;
    expect(Number(parts)).toBe(left);
    expect(Number(usd)).toBeGreaterThanOrEqual(leftUsd * 0.95);
    expect(h.server().requests.length).toBe(sent);
  });
});
