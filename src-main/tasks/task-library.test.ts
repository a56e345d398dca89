import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTasks } from '../orchestrator/tasks';
import { shippedTaskLibrary, SHIPPED_TASK_FILES } from './shipped-library';
import { combineInstructionOf, parseTaskLibrary, TaskLibraryError } from './task-library';
import { taskMessages } from './task-messages';
import { planRun } from '../runs/task-run';
import { answerJsonSchema, answerValidator } from './answers';
import { answerSchema, runAnswerForm, type AnswerForm } from './answer-schema';
import { JUDGE_JSON_SCHEMA } from '../tournament/judge';
import { VERIFICATION_JSON_SCHEMA } from '../tournament/verification';

const ROOT = join(__dirname, '..', '..');
const routing = parseTasks(JSON.parse(readFileSync(join(ROOT, 'resources/tasks.json'), 'utf8')));
const ANALYSIS = [
  'health_check_review',
  'continuity_check',
  'timeline_check',
  'character_consistency',
  'character_psychology',
  'theme_analysis',
  'beat_structure',
  'pacing_analysis',
];

describe('the task library (resources/tasks/)', () => {
  it('every task in resources/tasks.json has a definition with all its parts, and every file is shipped', () => {
    const library = shippedTaskLibrary();
    expect([...library.keys()].sort()).toEqual([...routing.keys()].sort());
    const files = readdirSync(join(ROOT, 'resources/tasks')).filter((f) => f.endsWith('.json'));
    expect(files.map((f) => `resources/tasks/${f}`).sort()).toEqual(Object.keys(SHIPPED_TASK_FILES).sort());
    for (const definition of library.values()) {
      expect(definition.version).toBeGreaterThanOrEqual(1);
      expect(definition.instruction.join(' ').length).toBeGreaterThan(200);
      expect(definition.ui_description.length).toBeGreaterThan(10);
      // Every task that takes the writer's words shows an example of them.
      if (definition.framing.request !== 'none') expect(definition.request_hint, definition.id).toMatch(/\w{3}/);
      expect(definition.max_output_tokens).toBeGreaterThanOrEqual(routing.get(definition.id)!.typical_output_tokens);
      expect(definition.temperature).toBeGreaterThanOrEqual(0);
    }
  });

  it('analysis tasks answer findings and tell the model a contradiction cites both places; edits, creative, summary and coordinator their own forms', () => {
    const library = shippedTaskLibrary();
    for (const id of ANALYSIS) {
      expect(library.get(id)!.answer, id).toBe('findings');
      expect(library.get(id)!.instruction.join(' '), id).toMatch(/cite BOTH places/);
    }
    expect(library.get('line_edit')!.answer).toBe('edits');
    expect(library.get('dialogue_polish')!.answer).toBe('edits');
    expect(library.get('brainstorm')!.answer).toBe('list');
    expect(library.get('scene_draft')!.answer).toBe('prose');
    expect(library.get('chapter_summary')!.answer).toBe('summary');
    expect(library.get('coordinator')!.answer).toBe('route');
    expect(library.get('coordinator')!.framing.request).toBe('required');
  });

  it('every structured answer form has a strict JSON Schema and a validator that accepts its own example', () => {
    const ids = [...routing.keys()].filter((id) => id !== 'coordinator');
    const examples = {
      findings: {
        findings: [{ claim: 'c', evidence: [{ quote: 'q', location: null }], severity: 'high', suggestion: null }],
      },
      edits: { edits: [{ original: 'a', revised: 'b', reason: 'r' }] },
      list: { items: [{ title: 't', detail: 'd' }] },
      summary: { chapters: [{ chapter: 'One', summary: 's' }] },
      route: { steps: [{ task: 'continuity_check', target: 'the book', why: 'w' }] },
    } as const;
    for (const [kind, example] of Object.entries(examples)) {
      const k = kind as keyof typeof examples;
      const schema = answerJsonSchema(k, ids)!;
      expect(schema.schema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(answerValidator(k, ids).safeParse(example).success, kind).toBe(true);
    }
    expect(answerValidator('route', ids).safeParse({ steps: [{ task: 'nap', target: 'x', why: 'y' }] }).success).toBe(
      false,
    );
    expect(answerJsonSchema('prose', ids)).toBeNull();
  });

  it('every schema Quire sends a provider in strict mode is one it takes: every object closed, every property required', () => {
    const ids = [...routing.keys()].filter((id) => id !== 'coordinator');
    const forms: AnswerForm[] = [
      ...(['findings', 'edits', 'list', 'summary', 'route'] as const).map((kind) => runAnswerForm(kind, ids)),
      // A part of a run in parts: the story so far with findings or summaries, a combine step's summary.
      { kind: 'findings', story: true },
      { kind: 'summary', chapters: ['Chapter 1'], story: true },
      { kind: 'summary', chapters: ['Chapter 1'], story: false },
    ];
    const schemas = [
      ...forms.map((form) => answerSchema(form).schema),
      answerJsonSchema('findings', ids)!.schema,
      JUDGE_JSON_SCHEMA,
      VERIFICATION_JSON_SCHEMA,
    ];
    for (const schema of schemas) expect(strictProblems(schema, '$'), JSON.stringify(schema)).toEqual([]);
    // The check finds what OpenAI refuses.
    expect(strictProblems({ type: 'object', properties: { a: { type: 'object' } }, required: ['a'] }, '$')).toEqual([
      '$: additionalProperties is not false',
      '$.a: additionalProperties is not false',
    ]);
  });

  it('every task says how hard a reasoning model should think on it: the checks that hold facts across a passage, and the critical analyses, at medium; the rest at low', () => {
    const library = shippedTaskLibrary();
    const medium = ['continuity_check', 'timeline_check', 'character_consistency', 'theme_analysis', 'beat_structure'];
    for (const definition of library.values()) {
      expect(definition.reasoning_effort, definition.id).toBe(medium.includes(definition.id) ? 'medium' : 'low');
      // Raised with the field: a run records the definition it was asked with.
      expect(definition.version, definition.id).toBeGreaterThanOrEqual(definition.id === 'chapter_summary' ? 3 : 2);
    }
    const good = SHIPPED_TASK_FILES['resources/tasks/line_edit.json'] as Record<string, unknown>;
    expect(() => parseTaskLibrary({ 'x/line_edit.json': { ...good, reasoning_effort: 'max' } })).toThrow(
      /field "reasoning_effort"/,
    );
  });

  it('private notes review stays on this machine', () => {
    expect(routing.get('private_notes_review')!.may_leave_machine).toBe(false);
    expect(shippedTaskLibrary().get('private_notes_review')!.answer).toBe('findings');
  });

  it('a bad definition is refused with an error naming the file and the field', () => {
    const good = SHIPPED_TASK_FILES['resources/tasks/line_edit.json'] as Record<string, unknown>;
    const bad = { ...good, temperature: 'warm' };
    expect(() => parseTaskLibrary({ 'resources/tasks/line_edit.json': bad })).toThrow(TaskLibraryError);
    expect(() => parseTaskLibrary({ 'resources/tasks/line_edit.json': bad })).toThrow(
      /resources\/tasks\/line_edit\.json: field "temperature"/,
    );
    const framing = { ...good, framing: { passage_label: 'manuscript' } };
    expect(() => parseTaskLibrary({ 'x/line_edit.json': framing })).toThrow(/field "framing\.request"/);
    expect(() => parseTaskLibrary({ 'x/other.json': good })).toThrow(/must match its file name/);
    expect(() => parseTaskLibrary({ 'x/line_edit.json': good }, ['line_edit', 'brainstorm'])).toThrow(
      /brainstorm\.json: is missing/,
    );
  });

  it("a summary task says how to combine a chapter's partial summaries, naming the chapter; no other task does", () => {
    const library = shippedTaskLibrary();
    for (const definition of library.values()) {
      if (definition.answer !== 'summary') {
        expect(definition.combine, definition.id).toBeUndefined();
        continue;
      }
      expect(definition.version, definition.id).toBeGreaterThanOrEqual(2);
      const combine = definition.combine!.join(' ');
      expect(combine).toMatch(/Combine these partial summaries of "\{chapter\}" into one/);
      expect(combine).toMatch(/exactly one entry/);
      const sent = combineInstructionOf(definition, 'The Harbour');
      expect(sent.startsWith(definition.instruction[0]!)).toBe(true);
      expect(sent).toContain('Combine these partial summaries of "The Harbour" into one');
      expect(sent).not.toContain('{chapter}');
    }
    const summary = SHIPPED_TASK_FILES['resources/tasks/chapter_summary.json'] as Record<string, unknown>;
    const { combine, ...without } = summary;
    expect(() => parseTaskLibrary({ 'x/chapter_summary.json': without })).toThrow(/field "combine"/);
    const edit = SHIPPED_TASK_FILES['resources/tasks/line_edit.json'] as Record<string, unknown>;
    expect(() => parseTaskLibrary({ 'x/line_edit.json': { ...edit, combine } })).toThrow(/field "combine"/);
  });

  it('messages: the instruction as the system message, the passage intact between tags, the writer’s request after it', () => {
    const definition = shippedTaskLibrary().get('continuity_check')!;
    const passage = '  Mara’s eyes were green.\n\n\n— Chapter 2 —\nThey were blue.  ';
    const [system, user] = taskMessages(definition, { passage, request: 'Check her eyes.' });
    expect(system!.role).toBe('system');
    expect(system!.content.startsWith(definition.instruction[0]!)).toBe(true);
    expect(system!.content).toContain('"evidence"');
    expect(user!.content).toBe(`<manuscript>\n${passage}\n</manuscript>\n\nThe writer's request:\nCheck her eyes.`);
    expect(() => taskMessages(shippedTaskLibrary().get('coordinator')!, { passage })).toThrow(/needs your request/);
  });

  it('Ask Quire routes to tasks that do the work, never to itself', () => {
    const library = shippedTaskLibrary();
    const ids = [...library.keys()];
    const plan = planRun({ task: 'coordinator', input: 'Chapter 1.', request: 'Are her eyes the same?' }, library, ids);
    const steps = (
      plan.jsonSchema!.schema as { properties: { steps: { items: { properties: { task: { enum: string[] } } } } } }
    ).properties.steps.items.properties.task.enum;
    expect(steps).toContain('continuity_check');
    expect(steps).not.toContain('coordinator');
    expect(steps).toHaveLength(ids.length - 1);
  });
});

/** Where `schema` breaks OpenAI's strict mode: an object not closed, or a property it does not require. */
function strictProblems(schema: unknown, at: string): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const problems: string[] = [];
  if (node.type === 'object' || 'properties' in node) {
    const keys = Object.keys((node.properties as object | undefined) ?? {});
    if (node.additionalProperties !== false) problems.push(`${at}: additionalProperties is not false`);
    const required = (node.required as string[] | undefined) ?? [];
    if ([...required].sort().join() !== [...keys].sort().join()) problems.push(`${at}: not every property required`);
    for (const key of keys)
      problems.push(...strictProblems((node.properties as Record<string, unknown>)[key], `${at}.${key}`));
  }
  for (const key of ['items', 'prefixItems', 'oneOf', 'anyOf'] as const) {
    const inner = node[key];
    for (const [i, child] of (Array.isArray(inner) ? inner : inner ? [inner] : []).entries())
      problems.push(...strictProblems(child, `${at}.${key}${Array.isArray(inner) ? `.${i}` : ''}`));
  }
  return problems;
}
