// A structured answer that is not whole — still arriving, or stopped part-way — read as far as it came: the findings,
// edits, ideas, summaries or steps whose words had all arrived. The Result shows these while a run streams and after a
// stop, and a stopped run's report lists them, so the writer reads the task's work and not the JSON it travels in.
import type { AnswerKind } from './tasks';

export interface PartialAnswer {
  /** Null while the JSON has not yet said which answer it is (its first characters). */
  kind: Exclude<AnswerKind, 'prose'> | null;
  /** One line for each item whose words had all arrived, in order. */
  items: string[];
}

/** The top-level key each structured answer opens with (src-main/tasks/answer-schema.ts). */
const KIND_OF_KEY: Record<string, Exclude<AnswerKind, 'prose'>> = {
  findings: 'findings',
  edits: 'edits',
  items: 'list',
  chapters: 'summary',
  steps: 'route',
};

const NOUN: Record<Exclude<AnswerKind, 'prose'>, [one: string, many: string]> = {
  findings: ['finding', 'findings'],
  edits: ['edit', 'edits'],
  list: ['idea', 'ideas'],
  summary: ['chapter summary', 'chapter summaries'],
  route: ['suggested check', 'suggested checks'],
};

/**
 * `text` read as a structured answer, or null when it is not one (prose, or a model's words before any JSON). A
 * model may open its JSON with a Markdown fence; only strings that had closed count.
 */
export function partialAnswer(text: string): PartialAnswer | null {
  const opening = /^\s*(?:```(?:json)?\s*)?\{/.exec(text);
  if (!opening) return null;
  const key = /^\s*"(\w+)"\s*:/.exec(text.slice(opening[0].length));
  // The first key has not arrived whole yet: a structured answer all the same, of a kind still unknown.
  if (!key) return /^\s*("\w*)?$/.test(text.slice(opening[0].length)) ? { kind: null, items: [] } : null;
  const kind = KIND_OF_KEY[key[1]!];
  if (!kind) return null;
  return { kind, items: itemsOf(kind, text) };
}

function itemsOf(kind: Exclude<AnswerKind, 'prose'>, text: string): string[] {
  switch (kind) {
    case 'findings':
      return strings(text, 'claim');
    case 'edits':
      return pairs(text, 'original', 'revised').map(([from, to]) => `“${from}” → “${to}”`);
    case 'list':
      return pairs(text, 'title', 'detail').map(([title, detail]) => `${title}: ${detail}`);
    case 'summary':
      return pairs(text, 'chapter', 'summary').map(([chapter, summary]) => `${chapter}: ${summary}`);
    case 'route':
      return strings(text, 'why');
    default:
      return kind satisfies never;
  }
}

/** Every closed string value of `key`, unescaped, in order. */
function strings(text: string, key: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(new RegExp(`"${key}"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`, 'g'))) {
    try {
      found.push(JSON.parse(match[1]!) as string);
    } catch {
      // An escape cut in half cannot be: the string closed. Anything else unreadable is left out.
    }
  }
  return found;
}

/** The items whose `first` and `second` strings have both closed (the last one may still be writing its second). */
function pairs(text: string, first: string, second: string): [string, string][] {
  const a = strings(text, first);
  const b = strings(text, second);
  return b.slice(0, a.length).map((value, i) => [a[i]!, value]);
}

function counted(kind: Exclude<AnswerKind, 'prose'>, n: number): string {
  const [one, many] = NOUN[kind];
  return `${n} ${n === 1 ? one : many}`;
}

/** What a streaming answer has said so far: "2 findings so far:", or what it is writing before the first one. */
export function arrivingText(answer: PartialAnswer): string {
  if (!answer.kind) return 'Writing its answer…';
  if (answer.items.length === 0) return `Writing its ${NOUN[answer.kind][1]}…`;
  return `${counted(answer.kind, answer.items.length)} so far:`;
}

/** What a stopped (or cut off) answer had said: how many items had arrived whole, or that none had. */
export function stoppedText(answer: PartialAnswer, how: 'Stopped' | 'Cut off' = 'Stopped'): string {
  if (!answer.kind || answer.items.length === 0)
    return `${how} before a whole ${answer.kind ? NOUN[answer.kind][0] : 'answer'} had arrived.`;
  return `${how} before the answer was complete: ${counted(answer.kind, answer.items.length)} had arrived whole.`;
}
