// Task runs through the official SDKs against the loopback fake: what each task sends (its own instruction, the
// passage intact, the provider's structured-output form), how answers become findings with located quotes or
// anchored edits, the one repair attempt, caller-chosen run ids, truncation, a writer's stop, and the report.
import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import type { ProviderHealth } from '../../src-preload/contract/providers';
import { shippedTaskLibrary } from '../tasks/shipped-library';

const harness = useExecutionHarness();

const PASSAGE =
  '# Chapter 3\n\nMara pushed the hair from her green eyes and watched the harbour.\n\n' +
  '# Chapter 12\n\n"It’s you," she said. Her blue eyes flashed — and then the storm came.';

const KEYS = {
  OPENAI_API_KEY: 'sk-test-openai-0001',
  ANTHROPIC_API_KEY: 'sk-ant-test-anthropic-0002',
  DEEPSEEK_API_KEY: 'sk-test-deepseek-0003',
};

/** The app with the built-in OpenAI, Anthropic and DeepSeek providers pointed at the fake. */
async function builtins() {
  const h = await harness.host({ env: KEYS });
  const server = harness.server();
  await h.call('providers:save', { id: 'openai', base_url: server.openaiBaseUrl, builtin: true });
  await h.call('providers:save', { id: 'anthropic', base_url: server.anthropicBaseUrl, builtin: true });
  await h.call('providers:save', { id: 'deepseek', base_url: server.openaiBaseUrl, builtin: true });
  return h;
}

type Host = Awaited<ReturnType<typeof builtins>>;

/** A streamed scene draft on `model` under a run id of its own, its tokens followed as they arrive. */
function streamedDraft(h: Host, model: string) {
  const runId = randomUUID();
  let text = '';
  const unsubscribe = h.app.events.subscribe((e) => {
    if (e.name === 'run:token' && e.payload.run_id === runId) text += e.payload.text;
  });
  const run = h.call('runs:start', { run_id: runId, task: 'scene_draft', input: PASSAGE, model, stream: true });
  return { runId, run, streamed: () => text, unsubscribe };
}

const EYES = {
  claim: "Mara's eyes are green in chapter 3 but blue in chapter 12.",
  evidence: [
    { quote: 'her green eyes', location: 'Chapter 3' },
    { quote: 'Her blue eyes flashed - and then', location: 'Chapter 12' },
  ],
  severity: 'high',
  suggestion: 'Choose one colour.',
};
const INVENTED = {
  claim: 'The dog disappears.',
  evidence: [{ quote: 'The dog barked at the gulls.', location: 'Chapter 5' }],
  severity: 'medium',
  suggestion: null,
};

/** A valid answer in each form, for the fake to give whatever task is asked. */
function answerFor(kind: string): { json?: unknown; text?: string } {
  switch (kind) {
    case 'findings':
      return { json: { findings: [EYES] } };
    case 'edits':
      return { json: { edits: [{ original: 'watched the harbour', revised: 'watched the quay', reason: 'precise' }] } };
    case 'list':
      return { json: { items: [{ title: 'A storm', detail: 'The storm strands Mara.' }] } };
    case 'summary':
      return { json: { chapters: [{ chapter: 'Chapter 3', summary: 'Mara watches the harbour.' }] } };
    case 'route':
      return { json: { steps: [{ task: 'continuity_check', target: 'the whole manuscript', why: 'eye colour' }] } };
    default:
      return { text: 'The gulls rose as one.' };
  }
}

describe('task runs through the official SDKs', () => {
  it('every task’s request carries its own instruction and the passage intact: OpenAI json_schema, DeepSeek json_object, Anthropic a forced tool', async () => {
    const h = await builtins();
    const server = harness.server();
    const library = shippedTaskLibrary();
    for (const [model, wire] of [
      ['gpt-4o-mini', 'openai'],
      ['deepseek-chat', 'deepseek'],
      ['claude-haiku-4-5', 'anthropic'],
    ] as const) {
      for (const definition of library.values()) {
        if (definition.id === 'private_notes_review') continue; // stays on this machine: below
        server.reset();
        server.script(model, answerFor(definition.answer));
        const { body } = await h.call('runs:start', {
          task: definition.id,
          input: PASSAGE,
          model,
          request: 'Does Mara’s eye colour stay the same?',
        });
        expect(body.ok, `${model} ${definition.id}: ${JSON.stringify(body.error)}`).toBe(true);
        expect(body.value).toMatchObject({ status: 'completed', task_version: definition.version });
        expect(body.value.answer.kind).toBe(definition.answer);
        expect(server.requests).toHaveLength(1);
        const sent = server.requests[0]!.body;
        const system =
          wire === 'anthropic'
            ? (sent.system as string)
            : (sent.messages as { role: string; content: string }[]).find((m) => m.role === 'system')!.content;
        const user = (sent.messages as { role: string; content: string }[]).find((m) => m.role === 'user')!.content;
        expect(system.startsWith(definition.instruction.join('\n\n'))).toBe(true);
        expect(user).toContain(`<manuscript>\n${PASSAGE}\n</manuscript>`);
        expect(user).toContain('Does Mara’s eye colour stay the same?');
        const structured = definition.answer !== 'prose';
        if (wire === 'openai') {
          expect(sent.response_format, definition.id).toEqual(
            structured ? expect.objectContaining({ type: 'json_schema' }) : undefined,
          );
        } else if (wire === 'deepseek') {
          // DeepSeek documents json_object only: the schema goes into the instruction and the answer is validated.
          expect(sent.response_format, definition.id).toEqual(structured ? { type: 'json_object' } : undefined);
          if (structured) expect(system).toContain('JSON Schema');
        } else {
          expect(sent.tool_choice, definition.id).toEqual(structured ? { type: 'tool', name: 'answer' } : undefined);
        }
      }
    }
    // Private notes never leave the machine: a cloud model is refused before any call.
    server.reset();
    const notes = await h.call('runs:start', { task: 'private_notes_review', input: PASSAGE, model: 'gpt-4o-mini' });
    expect(notes.body.ok).toBe(false);
    expect(server.requests).toHaveLength(0);
  }, 120_000);

  it('analysis answers become findings with both quotes located in the text; an invented quote is flagged and lowers confidence', async () => {
    const h = await builtins();
    harness.server().script('gpt-4o-mini', { json: { findings: [EYES, INVENTED] } });
    const { body } = await h.call('runs:start', { task: 'continuity_check', input: PASSAGE, model: 'gpt-4o-mini' });
    expect(body.ok).toBe(true);
    const [eyes, dog] = body.value.answer.findings;
    expect(
      eyes.evidence.map((e: { match: string; location: { label: string } }) => [e.match, e.location.label]),
    ).toEqual([
      ['exact', 'Chapter 3, paragraph 1'],
      ['tolerant', 'Chapter 12, paragraph 1'],
    ]);
    expect(PASSAGE.slice(eyes.evidence[1].start, eyes.evidence[1].end)).toBe('Her blue eyes flashed — and then');
    expect(eyes.confidence).toBeGreaterThan(0.9);
    expect(dog.evidence[0]).toMatchObject({ match: 'not_found', location: null, claimed_location: 'Chapter 5' });
    expect(dog.confidence).toBe(0);
    // The stored run carries the answer; the report shows it in a writer's words.
    expect((await h.call('runs:get', { run_id: body.value.run_id })).body.value.answer).toEqual(body.value.answer);
    const report = (await h.call('runs:export', { run_id: body.value.run_id })).body.value;
    expect(report.filename).toMatch(/^Quire Continuity check \d{4}-\d\d-\d\d\.md$/);
    expect(report.markdown).toContain('# Continuity check');
    // The model as the Workbench names it, not by its id.
    expect(report.markdown).toContain('- Model: GPT-4o mini\n');
    expect(report.markdown).toContain('“her green eyes” (Chapter 3, paragraph 1)');
    expect(report.markdown).toContain('“The dog barked at the gulls.” (not found in your text)');
  });

  it('invalid JSON gets exactly one repair attempt, with the error sent back, then a clear error; both calls charged', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('deepseek-chat', { replies: [{ text: 'Here are the findings: none' }, { text: '{"findings": [{' }] });
    const failed = await h.call('runs:start', { task: 'continuity_check', input: PASSAGE, model: 'deepseek-chat' });
    expect(failed.body.ok).toBe(false);
    expect(failed.body.error.code).toBe('provider_error');
    expect(failed.body.error.message).toMatch(
      /did not answer in the form Quire asked for, even after being asked once more \(it answered in prose, or its answer broke off\)/,
    );
    expect(failed.body.error.message).toMatch(/Its answer was not used, so nothing changed/);
    // The message ends with its own step: no general advice about keys is added after it.
    expect(failed.body.error.advised).toBe(true);
    expect(server.requests).toHaveLength(2);
    const repair = server.requests[1]!.body.messages as { role: string; content: string }[];
    expect(repair.at(-2)).toEqual({ role: 'assistant', content: 'Here are the findings: none' });
    expect(repair.at(-1)!.content).toMatch(/could not be used: the answer is not valid JSON/);
    const runs = (await h.call('runs:list', { task: 'continuity_check' })).body.value.runs;
    expect(runs[0]).toMatchObject({ status: 'failed' });
    expect(runs[0].cost_usd).toBeGreaterThan(0);
    // Both calls were charged by the tokens the provider reported (10 in each; a token per word out): the run shows
    // them, not "not reported".
    expect(runs[0]).toMatchObject({ input_tokens: 20, output_tokens: 5 + 2 });

    // A schema mismatch repaired on the second try completes, charged for both calls.
    server.reset();
    server.script('deepseek-chat', {
      replies: [{ json: { findings: [{ claim: 'x', evidence: [], severity: 'dire', suggestion: null }] } }],
      json: { findings: [EYES] },
      inputTokens: 1000,
      outputTokens: 100,
    });
    const repaired = await h.call('runs:start', { task: 'continuity_check', input: PASSAGE, model: 'deepseek-chat' });
    expect(repaired.body.ok).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect((server.requests[1]!.body.messages as { content: string }[]).at(-1)!.content).toMatch(/at findings\.0/);
    expect(repaired.body.value).toMatchObject({ input_tokens: 2000, output_tokens: 200 });
    // The first call is not "ok": its answer could not be read, and that is why the model was asked once more.
    expect(repaired.body.value.attempts).toMatchObject([
      {
        outcome: 'failed',
        error: {
          code: 'provider_error',
          message:
            'Its answer could not be read (parts of its answer were missing or in the wrong shape), so Quire asked ' +
            'it once more.',
        },
      },
      { outcome: 'ok', error: null },
    ]);
    expect(repaired.body.value.answer.findings[0].claim).toBe(EYES.claim);
  });

  it("a repair that would not fit the model's context with the unreadable answer asks again without it", async () => {
    const h = await harness.host();
    const server = harness.server();
    await h.endpoint('ep', [endpointModel('small', 9, 4096)]);
    // A first answer in prose nearly as long as the answer allowed: sent back, the repair would overflow the context.
    const prose = 'The eyes change colour and the harbour is different in this part of the story. '.repeat(75);
    server.script('small', { replies: [{ text: prose }, { json: { findings: [EYES] } }] });
    const run = { task: 'continuity_check', input: PASSAGE, model: 'ep/small', max_output_tokens: 2000 };
    const done = await h.call('runs:start', run);
    expect(done.body.value).toMatchObject({ status: 'completed' });
    const spec = h.app.services.registry.get('ep/small')!;
    const size = async (body: Record<string, unknown>) =>
      (await h.app.services.tokens.count(spec, { messages: body.messages as never })).tokens +
      ((body.max_completion_tokens ?? body.max_tokens) as number);
    const [first, repair] = server.requests.map((r) => r.body);
    // Sent back, the answer would not have fitted.
    const withAnswer = [
      ...(first!.messages as object[]),
      { role: 'assistant', content: prose },
      { role: 'user', content: 'That answer could not be used.' },
    ];
    expect(await size({ ...first!, messages: withAnswer })).toBeGreaterThan(4096);
    expect(await size(repair!)).toBeLessThanOrEqual(4096);
    const messages = repair!.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual((first!.messages as { role: string }[]).map((m) => m.role));
    expect(messages.at(-1)!.content).toMatch(/Your previous answer could not be used: the answer is not valid JSON/);
  });

  it('when every model answers in prose, the run names them together and says the reason once', async () => {
    const h = await builtins();
    // Unscripted, the fake answers every model in prose.
    const failed = await h.call('runs:start', { task: 'continuity_check', input: PASSAGE });
    expect(failed.body.ok).toBe(false);
    const message: string = failed.body.error.message;
    const tried = Number(/^None of the (\d+) models Quire tried could do this\. /.exec(message)?.[1]);
    expect(tried).toBeGreaterThan(1);
    expect(message).toMatch(
      / and [^,]+ each did not answer in the form Quire asked for, even after being asked once more/,
    );
    for (const once of ['did not answer in the form', 'Its answer was not used', 'Try again, or choose another model.'])
      expect(message.split(once)).toHaveLength(2);
    expect(failed.body.error.advised).toBe(true);
  });

  it('a model that cannot answer in the form even after its repair is a failure like any other: the run moves on to its fallback', async () => {
    const h = await harness.host();
    const server = harness.server();
    await h.endpoint('ep', [
      { id: 'prose', quality: 9, input_usd_per_mtok: 1, output_usd_per_mtok: 2 },
      { id: 'form', quality: 8, input_usd_per_mtok: 1, output_usd_per_mtok: 2 },
    ]);
    server.script('prose', { replies: [{ text: 'Mara has green eyes.' }, { text: 'Her eyes change colour.' }] });
    server.script('form', { json: { findings: [EYES] } });
    const run = await h.call('runs:start', { task: 'continuity_check', input: PASSAGE });
    expect(run.body.ok).toBe(true);
    expect(server.requests.map((r) => r.model)).toEqual(['prose', 'prose', 'form']);
    expect(run.body.value.model_id).toBe('ep/form');
    expect(run.body.value.answer.findings[0].claim).toBe(EYES.claim);
    // All three calls were charged by their usage.
    expect(run.body.value.input_tokens).toBeGreaterThan(0);
    const attempts = run.body.value.attempts as {
      model_id: string;
      outcome: string;
      error: { message: string } | null;
    }[];
    expect(attempts.map((a) => [a.model_id, a.outcome])).toEqual([
      ['ep/prose', 'failed'],
      ['ep/prose', 'failed'],
      ['ep/form', 'ok'],
    ]);
  });

  it('Anthropic: a tool answer missing a field is repaired once too', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('claude-haiku-4-5', {
      replies: [{ json: { edits: [{ original: 'watched the harbour', revised: 'x' }] } }],
      json: { edits: [{ original: 'watched the harbour', revised: 'watched the quay', reason: 'precise' }] },
    });
    const { body } = await h.call('runs:start', { task: 'line_edit', input: PASSAGE, model: 'claude-haiku-4-5' });
    expect(body.ok).toBe(true);
    expect(server.requests).toHaveLength(2);
    expect(body.value.answer.edits[0]).toMatchObject({ problem: null, location: { label: 'Chapter 3, paragraph 1' } });
  });

  it("a line edit's report ends with its own passage with the edits the writer kept, ready to paste back", async () => {
    const h = await builtins();
    harness.server().script('claude-haiku-4-5', {
      json: {
        edits: [
          { original: 'watched the harbour', revised: 'watched the quay', reason: 'precise' },
          { original: 'the storm came', revised: 'the storm broke', reason: 'stronger' },
        ],
      },
    });
    const { body } = await h.call('runs:start', { task: 'line_edit', input: PASSAGE, model: 'claude-haiku-4-5' });
    const run_id = body.value.run_id as string;
    // It listed each edit and its verdict, and the writer pieced the text together by hand.
    const kept = (await h.call('runs:export', { run_id, rejected_edits: [1] })).body.value.markdown as string;
    expect(kept).toContain(
      '## Your passage with the edits you accepted\n\n' +
        PASSAGE.replace('watched the harbour', 'watched the quay') +
        '\n',
    );
    const proposed = (await h.call('runs:export', { run_id })).body.value.markdown as string;
    expect(proposed).toContain(
      '## Your passage with every edit applied\n\n' +
        PASSAGE.replace('watched the harbour', 'watched the quay').replace('the storm came', 'the storm broke'),
    );
  });

  it('a caller-chosen run_id names the run from the start; the same id again returns that run, not another', async () => {
    const h = await builtins();
    const server = harness.server();
    const events: { name: string; payload: { run_id?: string } }[] = [];
    h.app.events.subscribe((e) => events.push(e as { name: string; payload: { run_id?: string } }));
    let release!: () => void;
    server.script('gpt-4o-mini', { text: 'A scene.', gate: new Promise<void>((r) => (release = r)) });
    const runId = randomUUID();
    const first = h.call('runs:start', { run_id: runId, task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    const again = h.call('runs:start', { run_id: runId, task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    await vi.waitUntil(() => server.requests.length === 1);
    release();
    const [a, b] = await Promise.all([first, again]);
    expect(a.body.value).toMatchObject({ run_id: runId, status: 'completed', text: 'A scene.' });
    expect(b.body.value).toEqual(a.body.value);
    const later = await h.call('runs:start', { run_id: runId, task: 'scene_draft', input: PASSAGE });
    expect(later.body.value.run_id).toBe(runId);
    expect(server.requests).toHaveLength(1);
    const runEvents = events.filter((e) => e.name.startsWith('run:'));
    expect(runEvents.length).toBeGreaterThan(0);
    expect(runEvents.every((e) => e.payload.run_id === runId)).toBe(true);
    expect(
      (await h.call('runs:list')).body.value.runs.filter((r: { run_id: string }) => r.run_id === runId),
    ).toHaveLength(1);
    const bad = await h.call('runs:start', { run_id: 'not-a-uuid', task: 'scene_draft', input: PASSAGE });
    expect(bad.body.error.code).toBe('invalid_input');
  });

  it('a caller-chosen run_id that names a run of another task is refused in words: the tasks by name, and the step', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('gpt-4o-mini', { text: 'A scene.' });
    const runId = randomUUID();
    const scene = { run_id: runId, task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' };
    expect((await h.call('runs:start', scene)).body.value).toMatchObject({ run_id: runId, status: 'completed' });
    const other = await h.call('runs:start', { ...scene, task: 'line_edit' });
    // The host's envelope: the code a caller branches on, and a message with its own step (no general one after it).
    expect(other.status).toBe(409);
    expect(other.body).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message:
          'That run id already names a run of Scene draft, not Line edit. Start Line edit with a new run id, or ' +
          'without one (Quire then makes one).',
        retryable: false,
        advised: true,
      },
    });
    expect(server.requests).toHaveLength(1);
  });

  it('a passage of only spaces and blank lines is refused before any model has it, quoted or run, alone or as a tournament', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('deepseek-chat', { json: { findings: [EYES] } });
    const blank = { task: 'continuity_check', input: '   \n\n\t \n', model: 'deepseek-chat' };
    const refusal = {
      ok: false,
      error: {
        code: 'invalid_input',
        message: 'The passage is empty: it has only spaces or blank lines. Paste or open the text to work on.',
        retryable: false,
        path: 'input',
      },
    };
    expect((await h.call('runs:quote', blank)).body).toEqual(refusal);
    expect((await h.call('runs:start', blank)).body).toEqual(refusal);
    await h.call('settings:set', { tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    const { model: _picked, ...chosen } = blank;
    expect((await h.call('runs:start', chosen)).body).toEqual(refusal);
    expect(server.requests).toHaveLength(0);
    expect((await h.call('runs:list')).body.value).toEqual({ runs: [] });
  });

  it('a caller-chosen run_id of a run still in flight is refused for another task in the same words, and the run goes on', async () => {
    const h = await builtins();
    const server = harness.server();
    let release!: () => void;
    server.script('gpt-4o-mini', { text: 'A scene.', gate: new Promise<void>((r) => (release = r)) });
    const runId = randomUUID();
    const scene = { run_id: runId, task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' };
    const first = h.call('runs:start', scene);
    await server.nextRequest('gpt-4o-mini');
    const other = await h.call('runs:start', { ...scene, task: 'line_edit' });
    // Refused at once: not joined to the scene draft, whose answer (or failure) it would otherwise wait for.
    expect(other.body).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message:
          'That run id already names a run of Scene draft, not Line edit. Start Line edit with a new run id, or ' +
          'without one (Quire then makes one).',
        retryable: false,
        advised: true,
      },
    });
    expect(other.status).toBe(409);
    release();
    expect((await first).body.value).toMatchObject({ run_id: runId, task: 'scene_draft', text: 'A scene.' });
    expect(server.requests).toHaveLength(1);
  });

  it('runs:wait answers a run in flight once it ends, a finished one at once, and never starts one', async () => {
    const h = await builtins();
    const server = harness.server();
    let release!: () => void;
    server.script('gpt-4o-mini', { text: 'A scene.', gate: new Promise<void>((r) => (release = r)) });
    const runId = randomUUID();
    const started = h.call('runs:start', { run_id: runId, task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    await vi.waitUntil(() => server.requests.length === 1);
    let waited: { body: { value?: { status: string; text: string } } } | null = null;
    const waiting = h.call('runs:wait', { run_id: runId }).then((reply) => (waited = reply));
    // Still in flight: the wait has not answered (runs:get shows it running meanwhile).
    expect((await h.call('runs:get', { run_id: runId })).body.value.status).toBe('running');
    expect(waited).toBeNull();
    release();
    await Promise.all([started, waiting]);
    expect(waited!.body.value).toMatchObject({ status: 'completed', text: 'A scene.' });
    expect((await h.call('runs:wait', { run_id: runId })).body.value).toEqual(waited!.body.value);
    expect((await h.call('runs:wait', { run_id: randomUUID() })).body.error.code).toBe('not_found');
    expect(server.requests).toHaveLength(1);
  });

  it('runs:get of a run still streaming has the words so far (a reloaded window shows them); each piece says where it starts', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('gpt-4o-mini', { text: 'one two three four five', faults: [{ kind: 'stall', afterTokens: 3 }] });
    const pieces: { text: string; at: number }[] = [];
    h.app.events.subscribe((e) => {
      if (e.name === 'run:token') pieces.push({ text: e.payload.text, at: e.payload.at });
    });
    const { runId, run, streamed } = streamedDraft(h, 'gpt-4o-mini');
    await vi.waitUntil(() => streamed() === 'one two three ');
    const record = (await h.call('runs:get', { run_id: runId })).body.value;
    expect(record).toMatchObject({ status: 'running', live: { model_id: 'gpt-4o-mini', text: 'one two three ' } });
    // Each piece's place is the length of what came before it.
    const before = (i: number) =>
      pieces
        .slice(0, i)
        .map((p) => p.text)
        .join('');
    expect(pieces.map((p) => p.at)).toEqual(pieces.map((_, i) => before(i).length));
    expect(pieces.map((p) => p.text).join('')).toBe('one two three ');
    await h.call('runs:cancel', { run_id: runId });
    await run;
    // Ended: its record keeps what arrived, and nothing is held for it any more.
    const ended = (await h.call('runs:get', { run_id: runId })).body.value;
    expect(ended).toMatchObject({ status: 'cancelled', text: 'one two three ' });
    expect(ended.live).toBeUndefined();
  });

  it('runs:cancel stops exactly that run; what had streamed in is kept and charged by usage', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('gpt-4o-mini', { text: 'one two three four five six', faults: [{ kind: 'stall', afterTokens: 3 }] });
    const other = randomUUID();
    const { runId: stopped, run: a, streamed } = streamedDraft(h, 'gpt-4o-mini');
    await vi.waitUntil(() => streamed() === 'one two three ');
    const b = h.call('runs:start', { run_id: other, task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    expect((await h.call('runs:cancel', { run_id: stopped })).body.value).toEqual({ cancelled: true });
    const [cancelled, finished] = await Promise.all([a, b]);
    expect(cancelled.body.error.code).toBe('cancelled');
    expect(finished.body.value).toMatchObject({ run_id: other, status: 'completed' });
    const record = (await h.call('runs:get', { run_id: stopped })).body.value;
    expect(record).toMatchObject({ status: 'cancelled', text: 'one two three ' });
    expect(record.cost_usd).toBeGreaterThan(0);
    // Charged by usage, not the whole reservation.
    const row = h.app.services.db
      .prepare('SELECT reserved_micros, charged_micros, state, note FROM ledger WHERE run_id = ?')
      .get(stopped) as { reserved_micros: number; charged_micros: number; state: string; note: string | null };
    expect(row.state).toBe('settled');
    expect(row.charged_micros).toBeLessThan(row.reserved_micros);
    // Not the provider's own counts: the spend export says whose they are, so an invoice that differs is explained.
    expect(row.note).toBe(
      "stopped mid-answer: the provider sends no counts for a stream cut short, so it is charged by Quire's count of " +
        'the request and of the words that arrived',
    );
  });

  it('a reasoning model stopped after its first words is charged what it may have thought, never just those words', async () => {
    const h = await builtins();
    const server = harness.server();
    // Its hidden thinking, billed as output, all came before the first visible word: the stream cannot say how much.
    server.script('gpt-5.5', { text: 'one two three four', faults: [{ kind: 'stall', afterTokens: 1 }] });
    const { runId, run, streamed } = streamedDraft(h, 'gpt-5.5');
    const sent = await server.nextRequest('gpt-5.5');
    expect(sent.body.reasoning_effort).toBeDefined();
    await vi.waitUntil(() => streamed() === 'one ');
    await h.call('runs:cancel', { run_id: runId });
    expect((await run).body.error.code).toBe('cancelled');
    const row = h.app.services.db
      .prepare('SELECT reserved_micros, charged_micros, state FROM ledger WHERE run_id = ?')
      .get(runId) as { reserved_micros: number; charged_micros: number; state: string };
    // Kept at its reservation (the whole output allowance it was sent, thinking included), as a stop before any word.
    expect(row.state).toBe('settled');
    expect(row.charged_micros).toBe(row.reserved_micros);
    expect((await h.call('runs:get', { run_id: runId })).body.value).toMatchObject({
      status: 'cancelled',
      text: 'one ',
    });
  });

  it('a run cancelled mid-stream is no failure of the provider: its attempt says cancelled, the breaker stays shut', async () => {
    const h = await builtins();
    const server = harness.server();
    // Five cancels in a row: as many failures would pause OpenAI for every later call.
    for (let i = 0; i < 5; i++) {
      server.script('gpt-4o-mini', { text: 'one two three four', faults: [{ kind: 'stall', afterTokens: 2 }] });
      const { runId, run, streamed, unsubscribe } = streamedDraft(h, 'gpt-4o-mini');
      await vi.waitUntil(() => streamed() === 'one two ');
      await h.call('runs:cancel', { run_id: runId });
      expect((await run).body.error.code).toBe('cancelled');
      unsubscribe();
      const record = (await h.call('runs:get', { run_id: runId })).body.value;
      expect(record.status).toBe('cancelled');
      expect(record.attempts.map((a: { error: { code: string } | null }) => a.error?.code)).toEqual(['cancelled']);
      // Charged by what arrived, not its most.
      expect(record.attempts[0].charged_most).toBeUndefined();
    }
    const health = (await h.call('providers:health')).body.value.providers as ProviderHealth[];
    expect(health.find((p) => p.provider === 'openai')).toMatchObject({ failure_count: 0, last_error: null });
    server.script('gpt-4o-mini', { text: 'still here' });
    const after = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    expect(after.body.value).toMatchObject({ status: 'completed', text: 'still here' });
  });

  it('an answer that reached its length limit is marked truncated', async () => {
    const h = await builtins();
    harness.server().script('gpt-4o-mini', { text: 'The scene stops mid', truncated: true });
    const { body } = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    expect(body.value).toMatchObject({ status: 'completed', truncated: true, answer: { kind: 'prose' } });
    expect((await h.call('runs:export', { run_id: body.value.run_id })).body.value.markdown).toMatch(/length limit/);
  });

  it("a run reopened from the history, and its report, keep the writer's own request, every line of it", async () => {
    const h = await builtins();
    harness.server().script('gpt-4o-mini', { text: 'The lamp turned.' });
    const request = 'Mara at the lighthouse.\nNothing too grand.';
    const { body } = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, request, model: 'gpt-4o-mini' });
    expect(body.value.status).toBe('completed');
    expect((await h.call('runs:get', { run_id: body.value.run_id })).body.value.request).toBe(request);
    const { markdown } = (await h.call('runs:export', { run_id: body.value.run_id })).body.value;
    expect(markdown).toContain('Your request:\n\n> Mara at the lighthouse.\n> Nothing too grand.\n');
    // A run without one says nothing of it; the history's rows do not carry it (a request may be long).
    const plain = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, model: 'gpt-4o-mini' });
    expect((await h.call('runs:get', { run_id: plain.body.value.run_id })).body.value.request).toBeNull();
    expect((await h.call('runs:list', {})).body.value.runs[0]).not.toHaveProperty('request');
  });

  it('tasks:library lists every task with its answer form and description', async () => {
    const h = await builtins();
    const tasks = (await h.call('tasks:library')).body.value.tasks as { id: string; answer: string }[];
    expect(tasks).toHaveLength(15);
    expect(tasks.find((t) => t.id === 'line_edit')).toMatchObject({ answer: 'edits' });
    // Ask Quire needs the writer's words, and shows an example of them.
    expect(tasks.find((t) => t.id === 'coordinator')).toMatchObject({
      request: 'required',
      request_hint: expect.stringMatching(/^In your own words/),
    });
  });
});
