// zod's refusals in a writer's words: a field's own message (set in its schema) is kept; zod's default wording
// ("Too big: expected string to have <=2000000 characters") never reaches the writer, who is told instead which field
// it is, in plain words, and what is wrong with it.
import { z } from 'zod';

type Issue = z.core.$ZodIssue;

export interface IssueWords {
  /** The failing field's path ("models.0.id"), empty for the whole request. */
  path: string;
  text: string;
  /** The text ends with the step that fixes it. */
  advised: boolean;
}

const n = (value: number | bigint) => value.toLocaleString('en-US');

/** Fields a writer fills in, by their key: what the screen calls them. Others: the key with spaces for `_`. */
const LABELS: Record<string, string> = {
  id: 'the id',
  name: 'the name',
  display_name: 'the name',
  quality: 'the quality',
  strengths: 'the strengths',
  input_usd_per_mtok: 'the input price',
  output_usd_per_mtok: 'the output price',
  context_window: 'the context size',
  base_url: 'the address',
  api_key: 'the API key',
  content: 'the text',
  request: 'your request',
  task: 'the task',
  model: 'the model',
  tier: 'the quality tier',
  max_output_tokens: 'the answer length',
  monthly_budget: 'the monthly budget',
  timeout_s: 'the timeout',
  port: 'the port',
};

/** A list's entries, by the list's key: "model 1" of `models.0`. */
const ENTRIES: Record<string, string> = { models: 'model', input: 'message', images: 'image' };

function fieldLabel(path: readonly PropertyKey[], input?: unknown): string {
  const named = path.findLastIndex((key) => typeof key === 'string');
  if (named < 0) return 'this request';
  const key = String(path[named]);
  const label = LABELS[key] ?? `the ${key.replace(/_(usd|s|ms|mb|gb)$/, '').replaceAll('_', ' ')}`;
  // The entry of a list it belongs to: "the id of model 1".
  const parent = path[named - 1];
  const list = path[named - 2];
  if (typeof parent === 'number' && typeof list === 'string') {
    // With its id where it has one, as the Settings form says it (an endpoint's 300 fetched models: "model 212" alone
    // is not one a writer can find).
    const id = key === 'id' ? undefined : valueAt(input, [...path.slice(0, named), 'id']);
    const withId = typeof id === 'string' && id.trim() !== '' && id.length <= 100 ? ` (“${id}”)` : '';
    return `${label} of ${ENTRIES[list] ?? list.replace(/s$/, '')} ${parent + 1}${withId}`;
  }
  return label;
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What zod itself would say for this issue: a message equal to it was not written for the writer. */
const english = z.locales.en();

function isZodDefault(issue: Issue): boolean {
  const made = english.localeError?.(issue as never);
  const text = typeof made === 'string' ? made : made?.message;
  if (text === undefined) return false;
  // Only the "received …" part depends on the input, which the issue does not carry.
  const stem = (message: string) => message.replace(/, received .*$/, '');
  return stem(text) === stem(issue.message);
}

/** The issue a union's failure stands for: the option that came closest (fewest issues), its paths made whole. */
function resolve(issue: Issue, prefix: readonly PropertyKey[] = []): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const closest = issue.errors.reduce((best, option) => (option.length < best.length ? option : best));
    if (closest[0]) return resolve(closest[0], path);
  }
  return { issue, path };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const TYPE_WORDS: Record<string, string> = {
  number: 'must be a number',
  int: 'must be a whole number',
  string: 'must be text',
  boolean: 'must be on or off',
  array: 'must be a list',
};

function plainWords(issue: Issue, path: readonly PropertyKey[], input: unknown, hasInput: boolean): string {
  const label = capital(fieldLabel(path, input));
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1
          ? `${label} is empty: fill it in.`
          : `${label} is too short: it needs at least ${n(issue.minimum)} characters.`;
      if (issue.origin === 'number')
        return issue.inclusive
          ? `${label} cannot be below ${n(issue.minimum)}.`
          : `${label} must be more than ${n(issue.minimum)}.`;
      if (issue.origin === 'array')
        return `${label} must have at least ${n(issue.minimum)} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}.`;
      return `${label} is too small.`;
    case 'too_big':
      if (issue.origin === 'string') return `${label} is too long: it can have up to ${n(issue.maximum)} characters.`;
      if (issue.origin === 'number')
        return issue.inclusive
          ? `${label} cannot be above ${n(issue.maximum)}.`
          : `${label} must be less than ${n(issue.maximum)}.`;
      if (issue.origin === 'array') return `${label} can have at most ${n(issue.maximum)} entries.`;
      return `${label} is too large.`;
    case 'invalid_type':
      if (hasInput && valueAt(input, path) === undefined) return `${label} is missing.`;
      return `${label} ${TYPE_WORDS[issue.expected] ?? 'is not in the right form'}.`;
    case 'invalid_format':
      return issue.format === 'url' ? `${label} is not a web address.` : `${label} is not in the right form.`;
    case 'invalid_value':
      return `${label} is not one of the choices Quire offers.`;
    case 'not_multiple_of':
      return `${label} must be a multiple of ${n(issue.divisor as number)}.`;
    case 'unrecognized_keys':
      return `Quire does not take ${issue.keys.map((key) => `“${key}”`).join(', ')} in ${fieldLabel(path, input)}.`;
    default:
      return `${label} is not valid.`;
  }
}

/** The passage of runs:start, runs:quote and tournaments:start: said as the writer pasted it. */
function passageWords(issue: Issue, value: unknown): string | null {
  if (issue.code === 'too_big' && issue.origin === 'string') {
    const length =
      typeof value === 'string'
        ? `${n(value.length)} characters; up to ${n(issue.maximum)}`
        : `more than ${n(issue.maximum)} characters`;
    return `This passage is too long to paste (${length}). Open it as a manuscript instead.`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string')
    return 'There is no passage: paste or type some text, then run it.';
  return null;
}

/** The first issue of a refusal, in words; `input` (when at hand) is what was refused, for a passage's length. */
export function issueWords(error: z.ZodError, ...input: [unknown?]): IssueWords | null {
  const first = error.issues[0];
  if (!first) return null;
  const { issue, path } = resolve(first);
  const dotted = path.map(String).join('.');
  if (!isZodDefault(issue)) return { path: dotted, text: issue.message, advised: false };
  if (dotted === 'input') {
    const passage = passageWords(issue, valueAt(input[0], path));
    if (passage) return { path: dotted, text: passage, advised: true };
  }
  return { path: dotted, text: plainWords(issue, path, input[0], input.length > 0), advised: false };
}
