// A task's version is stored with every run, so "which prompt produced this answer" has an answer only if the version
// moves whenever what the model is sent moves. This test holds each shipped task to that: everything a model receives
// for it (its system instruction with the answer guidance, the passage's framing, the answer's JSON Schema, its
// temperature, answer length and reasoning effort, a chapter summary's combine instruction, the repair and retry
// wording) is fingerprinted, and the fingerprint is pinned with the version in test/fixtures/task-prompts.lock.json.
// A change to any of it without a new version fails here; with one, the lock is rewritten on purpose:
//   UPDATE_TASK_PROMPT_LOCK=1 npx vitest run src-main/tasks/prompt-lock.test.ts
// (which still refuses to pin a changed prompt under its old version). What a local model is sent for the task is
// pinned beside it (`local`): the same instruction with the limits paragraph its bounds add and the bounded schema, for
// a single run and for a part of a run in parts.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { partRequest, type PartForm } from '../app/job-answer';
import { combineMessages } from '../app/summary-combine';
import { planRun, requestFor, type RunPlan } from '../runs/task-run';
import { shippedTaskLibrary } from './shipped-library';
import type { TaskDefinition } from './task-library';
import { repairMessages, retryMessages } from './task-messages';

const LOCK = join(__dirname, '..', '..', 'test', 'fixtures', 'task-prompts.lock.json');

type Lock = Record<string, { version: number; sha256: string; local?: string }>;

const PASSAGE =
  'Chapter 1\n\nMara kept the letter in the blue tin. Her eyes were grey.\n\nChapter 2\n\nHer eyes were green.';
const REQUEST = 'Mostly the letter.';

type Library = ReturnType<typeof shippedTaskLibrary>;

/** A run of `definition` on the sample passage (with a request where the task takes one). */
function planOf(definition: TaskDefinition, ids: readonly string[], library: Library): RunPlan {
  const request = definition.framing.request === 'none' ? undefined : REQUEST;
  return planRun({ task: definition.id, input: PASSAGE, request }, library, ids);
}

/** What a model is sent for `definition`, as one string (any change to it changes the fingerprint). */
function sent(definition: TaskDefinition, plan: RunPlan) {
  return JSON.stringify({
    messages: plan.messages,
    schema: plan.jsonSchema ?? null,
    temperature: plan.temperature,
    max_output_tokens: definition.max_output_tokens,
    reasoning_effort: definition.reasoning_effort,
    // A combine step as sent: its instruction, two partial summaries and the writer's request.
    combine: definition.combine
      ? combineMessages(definition, 'Chapter 1', ['Mara hides the letter.', 'Her eyes are green.'], REQUEST)
      : null,
    repair: plan.jsonSchema ? repairMessages(plan.messages, '{"x": 1}', 'PROBLEM').slice(-1) : null,
    retry: plan.jsonSchema ? retryMessages(plan.messages, 'PROBLEM').slice(-1) : null,
  });
}

/** A local model with a small context: its answers are bounded, and told so. */
const LOCAL = { provider: 'local', context_window: 4096 } as ModelSpec;

/** What a local model is sent for `definition`: a single run, and a part of a run in parts where the task splits. */
function sentLocally(definition: TaskDefinition, plan: RunPlan): string | null {
  if (!plan.jsonSchema) return null;
  const asked = { messages: plan.messages, maxOutputTokens: definition.max_output_tokens, jsonSchema: plan.jsonSchema };
  const single = requestFor(LOCAL, plan, asked);
  const forms: Partial<Record<string, PartForm>> = {
    findings: { kind: 'findings', story: true },
    summary: { kind: 'summary', chapters: ['Chapter 1'], story: true },
    edits: { kind: 'edits' },
  };
  const form = forms[definition.answer];
  const part = form ? partRequest(LOCAL, asked, form, { context: LOCAL.context_window, chosen: null }).request : null;
  const shown = (r: typeof single | null) =>
    r && { messages: r.messages, schema: r.jsonSchema, max: r.maxOutputTokens };
  return JSON.stringify({ single: shown(single), part: shown(part) });
}

function fingerprints(): Lock {
  const library = shippedTaskLibrary();
  const ids = [...library.keys()];
  const out: Lock = {};
  for (const definition of [...library.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const plan = planOf(definition, ids, library);
    const sha256 = createHash('sha256').update(sent(definition, plan)).digest('hex');
    const local = sentLocally(definition, plan);
    out[definition.id] = {
      version: definition.version,
      sha256,
      ...(local === null ? {} : { local: createHash('sha256').update(local).digest('hex') }),
    };
  }
  return out;
}

function readLock(): Lock {
  try {
    return JSON.parse(readFileSync(LOCK, 'utf8')) as Lock;
  } catch {
    return {};
  }
}

describe('task prompts are versioned', () => {
  it('every change to what a task sends a model comes with a new version of the task', () => {
    const lock = readLock();
    const now = fingerprints();
    // A prompt that changed under the version it was pinned with: the one mistake the lock exists to catch.
    const unversioned = Object.entries(now)
      .filter(([id, f]) => {
        const pinned = lock[id];
        if (!pinned || pinned.version !== f.version) return false;
        // A fingerprint the lock does not hold yet (a part newly pinned) is not a change.
        return pinned.sha256 !== f.sha256 || (pinned.local !== undefined && pinned.local !== f.local);
      })
      .map(([id, f]) => `${id} (still version ${f.version})`);
    const backwards = Object.entries(now)
      .filter(([id, f]) => lock[id] && f.version < lock[id].version)
      .map(([id, f]) => `${id} (${lock[id]!.version} → ${f.version})`);
    expect(backwards, "A task's version only moves forward: runs stored under it would be mistaken for these").toEqual(
      [],
    );
    expect(
      unversioned,
      'What these tasks send a model changed: raise "version" in resources/tasks/<id>.json, then update the lock',
    ).toEqual([]);
    if (process.env.UPDATE_TASK_PROMPT_LOCK === '1') writeFileSync(LOCK, `${JSON.stringify(now, null, 2)}\n`);
    expect(now, 'Update the lock: UPDATE_TASK_PROMPT_LOCK=1 npx vitest run src-main/tasks/prompt-lock.test.ts').toEqual(
      readLock(),
    );
  });
});
