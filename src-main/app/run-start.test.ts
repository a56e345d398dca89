// runs:start on a critical task over the real HTTP host: a tournament on loopback fake providers, answered with its
// best member's run and the tournament's id.
import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from '../../src-preload/contract/tokens';
import { findingsAnswer } from '../../test/support/findings-answer';
import { addThreeEndpoints, endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import { runStartHandler } from './run-start';

const h = useExecutionHarness();
/** Tournament members answer in the same findings form as a single run. */
const finding = (claim: string, quote = 'her blue eyes flashed') => findingsAnswer(claim, quote).findings[0]!;
const MANUSCRIPT =
  'Chapter 3. Mara pushed the hair from her green eyes and watched the harbour.\n\nChapter 12. She turned, her blue eyes flashed.';
/** A single run answers in the task library's findings form (evidence as a list of quotes). */
const SINGLE_ANSWER = findingsAnswer("Mara's eyes change colour", 'her blue eyes flashed');

async function threeMembers() {
  const host = await h.host();
  await addThreeEndpoints(host, 9.5);
  // gpt-x and claude-y agree on the eyes; deepseek-z (the best rated) reports something nobody else saw.
  h.server().script('gpt-x', { json: { findings: [finding("Mara's eye colour changes from green to blue")] } });
  h.server().script('claude-y', { json: { findings: [finding("Mara's eyes are green in ch. 3, blue in ch. 12")] } });
  h.server().script('deepseek-z', {
    json: { findings: [finding('The harbour is never described again', 'watched the harbour')] },
  });
  return host;
}

describe('runs:start on a critical task', () => {
  it('runs a tournament and answers with the member backing the most consensus findings, tournament_id set', async () => {
    const host = await threeMembers();
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    const started = await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT });
    expect(started.body.ok).toBe(true);
    const run = started.body.value;
    expect(run.tournament_id).toEqual(expect.any(String));
    expect(h.server().requests).toHaveLength(3);
    const t = (await host.call('tournaments:get', { tournament_id: run.tournament_id })).body.value;
    expect(t.members.map((m: { model_id: string }) => m.model_id).sort()).toEqual([
      'ep-a/gpt-x',
      'ep-b/claude-y',
      'ep-c/deepseek-z',
    ]);
    expect(t.findings[0]).toMatchObject({ status: 'consensus' });
    // Both consensus backers tie on 1; gpt-x has the higher quality estimate of the two.
    expect(run).toMatchObject({ run_id: `${t.id}/member/ep-a/gpt-x`, model_id: 'ep-a/gpt-x', status: 'completed' });
    expect(JSON.parse(run.text).findings[0].claim).toMatch(/green to blue/);
    // The member's run is a stored run like any other.
    expect((await host.call('runs:get', { run_id: run.run_id })).body.value.text).toBe(run.text);
  });

  it('stays a single run with `single: true`, a named model, or tournaments off', async () => {
    const host = await threeMembers();
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    for (const m of ['gpt-x', 'claude-y', 'deepseek-z']) h.server().script(m, { json: SINGLE_ANSWER });
    const single = await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT, single: true });
    expect(single.body.value.tournament_id).toBeNull();
    const named = await host.call('runs:start', { task: 'continuity_check', input: 'x', model: 'ep-b/claude-y' });
    expect(named.body.value).toMatchObject({ tournament_id: null, model_id: 'ep-b/claude-y' });
    const other = await host.call('runs:start', { task: 'timeline_check', input: MANUSCRIPT });
    expect(other.body.value).toMatchObject({ tournament_id: null, status: 'completed' });
    expect(h.server().requests).toHaveLength(3);
    host.app.services.settings.set({ tournament: { enabled: false } });
    const off = await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT });
    expect(off.body.value.tournament_id).toBeNull();
    expect((await host.call('tournaments:list')).body.value).toEqual([]);
  });

  it('a tournament that cannot be seated says why and runs nothing until the writer confirms one model', async () => {
    const lone = await h.host();
    await lone.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
    lone.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    const quote = await lone.call('runs:quote', { task: 'continuity_check', input: MANUSCRIPT });
    expect(quote.body.value).toMatchObject({ kind: 'unseated', reason: expect.any(String) });
    // What one model would cost instead is quoted with the question, before the writer says yes.
    expect(quote.body.value.instead).toMatchObject({ kind: 'single', decision: { model_id: 'ep-a/gpt-x' } });
    expect(quote.body.value.instead.at_most_usd).toBeGreaterThan(0);
    const refused = await lone.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT });
    expect(refused.body.error).toMatchObject({ code: 'unavailable' });
    expect(refused.body.error.message).toMatch(/^No tournament could be seated for this task: .+ Nothing was run/);
    // Its own step ends it: no general "check that the service is reachable" after it.
    expect(refused.body.error.advised).toBe(true);
    expect(h.server().requests).toHaveLength(0);
    h.server().script('gpt-x', { json: SINGLE_ANSWER });
    const confirmed = await lone.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT, single: true });
    expect(confirmed.body.value).toMatchObject({ tournament_id: null, model_id: 'ep-a/gpt-x', status: 'completed' });
  });

  it('a tournament whose members all fail says so by name, with each reason and the step, without its id', async () => {
    const host = await h.host();
    await addThreeEndpoints(host, 8.5);
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    for (const m of ['gpt-x', 'claude-y', 'deepseek-z'])
      h.server().script(m, { alwaysFault: { kind: 'status', status: 500, message: 'upstream exploded' } });
    const { error } = (await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT })).body;
    expect(error).toMatchObject({ code: 'unavailable', advised: true });
    expect(error.message).toMatch(
      /^None of the 3 models in the tournament answered\. gpt-x \(ep-a\): [^;]+; claude-y \(ep-b\): [^;]+; deepseek-z \(ep-c\): [^;]+\. Run it on one model instead\.$/,
    );
    expect(error.message).not.toMatch(/tn_|tournament [0-9a-f]{8}/);
  });

  it('a tournament where only one member answered says how many did and why the others did not', async () => {
    const host = await h.host();
    await addThreeEndpoints(host, 8.5);
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    h.server().script('gpt-x', { json: { findings: [finding("Mara's eyes change colour")] } });
    for (const m of ['claude-y', 'deepseek-z'])
      h.server().script(m, { alwaysFault: { kind: 'status', status: 500, message: 'upstream exploded' } });
    const { error } = (await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT })).body;
    expect(error.message).toMatch(
      /^Only 1 of the 3 models in the tournament answered, and it needs at least two to compare\. claude-y \(ep-b\): [^;]+; deepseek-z \(ep-c\): [^;]+\. Run it on one model instead\.$/,
    );
  });

  it('runs:resume without runs in parts says what to do instead', async () => {
    const handlers = runStartHandler({ runs: {} as never, tournaments: {} as never });
    expect(() => handlers['runs:resume']({ run_id: 'r1' }, { transport: 'internal' })).toThrow(
      expect.objectContaining({
        code: 'conflict',
        message: 'Only a run in parts that stopped before its end can be resumed; run this one again instead.',
        advised: true,
      }),
    );
  });

  it('the quote of a tournament covers every member, as much as the run reserves', async () => {
    const host = await threeMembers();
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    const quote = (await host.call('runs:quote', { task: 'continuity_check', input: MANUSCRIPT })).body.value;
    expect(quote.kind).toBe('tournament');
    expect(quote.members).toHaveLength(3);
    const worstCases = quote.members.map((m: { worst_case_usd: number }) => m.worst_case_usd);
    expect(quote.total_usd).toBeGreaterThan(Math.max(...worstCases));
    const run = (await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT })).body.value;
    const t = (await host.call('tournaments:get', { tournament_id: run.tournament_id })).body.value;
    expect(quote.total_usd).toBeCloseTo(t.reserved_usd, 9);
    // Its tokens are each member's request as sent (the task's instruction with the passage), as the card shows them.
    const sent = (h.server().requests[0]!.body as { messages: { content: string }[] }).messages;
    expect(quote).toMatchObject({ input_tokens: estimateInputTokens(sent), max_output_tokens: expect.any(Number) });
    expect((await host.call('runs:quote', { task: 'timeline_check', input: MANUSCRIPT })).body.value).toMatchObject({
      kind: 'single',
      retry: true,
    });
  });

  it("a single run's quote carries the run's own decision: tokens in as sent (the task's instruction and the writer's request), the answer length asked", async () => {
    const host = await h.host();
    await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
    h.server().script('gpt-x', { json: SINGLE_ANSWER });
    const start = {
      task: 'continuity_check',
      input: MANUSCRIPT,
      request: 'Only the eyes, please.',
      max_output_tokens: 600,
    };
    const quote = (await host.call('runs:quote', start)).body.value;
    // What the Workbench's orchestrator:decide sees: the passage alone.
    const bare = (
      await host.call('orchestrator:decide', {
        task: 'continuity_check',
        input_tokens: estimateInputTokens([{ content: MANUSCRIPT }]),
      })
    ).body.value;
    expect(quote).toMatchObject({ kind: 'single', decision: { model_id: 'ep-a/gpt-x', max_output_tokens: 600 } });
    expect(quote.decision.input_tokens).toBeGreaterThan(bare.input_tokens);
    await host.call('runs:start', start);
    const sent = (h.server().requests[0]!.body as { messages: { content: string }[] }).messages;
    expect(quote.decision.input_tokens).toBe(estimateInputTokens(sent));
  });

  it("a single run's quote says when the run cannot go ahead: the writer's request makes it too dear for the budget left", async () => {
    const host = await h.host();
    await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
    const bare = { task: 'continuity_check', input: MANUSCRIPT };
    const fits = (await host.call('runs:quote', bare)).body.value;
    expect(fits.decision.refusal).toBeNull();
    // Room for the passage's call alone, not with a long request.
    host.app.services.settings.set({ orchestrator: { monthly_budget: fits.decision.estimate_usd * 1.05 } });
    const asked = (await host.call('runs:quote', { ...bare, request: 'Look closely at every colour. '.repeat(600) }))
      .body.value;
    expect(asked).toMatchObject({ kind: 'single', at_most_usd: 0, decision: { model_id: null } });
    expect(asked.decision.refusal).toMatchObject({ code: 'budget_exceeded' });
  });

  it('"Run as tournament" with the members the writer picked is quoted before it runs, as much as it reserves', async () => {
    const host = await threeMembers();
    // Tournaments off in Settings: the Workbench's own button, with two members picked.
    const start = { task: 'continuity_check', input: MANUSCRIPT, models: ['ep-a/gpt-x', 'ep-b/claude-y'] };
    const quote = (await host.call('tournaments:quote', start)).body.value;
    expect(quote).toMatchObject({
      kind: 'tournament',
      members: [{ model_id: 'ep-a/gpt-x' }, { model_id: 'ep-b/claude-y' }],
    });
    expect(h.server().requests).toHaveLength(0);
    const t = (await host.call('tournaments:start', start)).body.value;
    expect(quote.total_usd).toBeCloseTo(t.reserved_usd, 9);
    // One that cannot sit says why, without an error.
    host.app.services.settings.set({ tournament: { cost_cap_usd: 0.000001 } });
    expect((await host.call('tournaments:quote', start)).body.value).toMatchObject({
      kind: 'unseated',
      reason: expect.stringMatching(/Raise the tournament cost cap in Settings → Tournaments/),
    });
  });

  it("the writer's request reaches every member of the tournament a critical run becomes, and its quote counts it", async () => {
    const host = await threeMembers();
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    const request = 'Only the eyes, please: ' + 'is the colour ever explained? '.repeat(40);
    const bare = (await host.call('runs:quote', { task: 'continuity_check', input: MANUSCRIPT })).body.value;
    const asked = (await host.call('runs:quote', { task: 'continuity_check', input: MANUSCRIPT, request })).body.value;
    expect(asked.kind).toBe('tournament');
    expect(asked.total_usd).toBeGreaterThan(bare.total_usd);

    const run = (await host.call('runs:start', { task: 'continuity_check', input: MANUSCRIPT, request })).body.value;
    expect(run.tournament_id).toEqual(expect.any(String));
    const sent = h.server().requests.map((r) => {
      const messages = (r.body as { messages: { role: string; content: string }[] }).messages;
      return messages.find((m) => m.role === 'user')!.content;
    });
    expect(sent).toHaveLength(3);
    for (const user of sent) expect(user).toContain(`The writer's request:\n${request.trim()}`);
  });

  it('Ask Quire never becomes a tournament, even when ticked as critical: it suggests the check to run', async () => {
    // Two models that can read a request: enough to seat a tournament, were it allowed.
    const host = await h.host();
    await host.endpoint('ep-s', [{ ...endpointModel('sage', 9), strengths: ['semantic_reasoning'] }]);
    await host.endpoint('ep-t', [{ ...endpointModel('thinker', 8.8), strengths: ['semantic_reasoning'] }]);
    host.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['coordinator'] } });
    const ask = { task: 'coordinator', input: MANUSCRIPT, request: 'Are her eyes the same colour throughout?' };
    expect((await host.call('runs:quote', ask)).body.value).toMatchObject({ kind: 'single' });
    const route = {
      steps: [{ task: 'continuity_check', target: 'the whole manuscript', why: 'It compares chapters.' }],
    };
    for (const m of ['sage', 'thinker']) h.server().script(m, { json: route });
    const started = (await host.call('runs:start', ask)).body;
    expect(started.error).toBeUndefined();
    const run = started.value;
    expect(run).toMatchObject({ tournament_id: null, status: 'completed' });
    expect(h.server().requests).toHaveLength(1);
    const refused = await host.call('tournaments:start', { task: 'coordinator', input: MANUSCRIPT });
    expect(refused.body.error).toMatchObject({ code: 'invalid_input' });
    expect(refused.body.error.message).toMatch(/^Ask Quire suggests which check to run; it cannot run as a tournament/);
  });
});
