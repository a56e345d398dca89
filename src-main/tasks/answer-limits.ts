// A local model's answer bounds as the model and the writer hear of them: the model is told them with its instruction
// (how many, how long), so it chooses what to keep rather than running into the grammar's limit mid-sentence; the
// writer is told when the answer reached them (as many findings as allowed, so there may be more; text that may be cut
// short), and an edit whose original or revision may be cut short is never applied (it would leave the rest of the
// sentence behind, or replace a whole sentence with half of one).
import type { RunAnswer } from '../../src-preload/contract/tasks';
import { fieldLimits, plainTitle, type AnswerBounds, type AnswerForm } from './answer-schema';

/** A local request's answer: its form and the bounds its grammar was built with. */
export interface BoundedForm {
  form: AnswerForm;
  bounds: AnswerBounds;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "a", "b" and "c" */
function quotedList(names: readonly string[]): string {
  const quoted = names.map((n) => `"${n}"`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)!}` : quoted.join('');
}

/** The paragraph appended to the instruction of a local model answering under these bounds. */
export function limitsGuidance({ form, bounds }: BoundedForm): string {
  const l = fieldLimits(bounds);
  const lead = 'Keep your answer within these limits (anything longer is cut off): ';
  switch (form.kind) {
    case 'findings':
      if (bounds.items === 0) return `${lead}there is no room for findings here; answer {"findings": []}.`;
      return (
        `${lead}at most ${plural(bounds.items, 'finding', 'findings')}, the most important first; each claim at most ` +
        `${l.claim} characters and each quote at most ${l.text} characters (the words that show it, not a whole ` +
        `paragraph); at most ` +
        `${plural(bounds.evidence, 'quote', 'quotes')} a finding; a location at most ${l.location} characters and a ` +
        `suggestion at most ${l.suggestion} characters.`
      );
    case 'edits':
      return (
        `${lead}at most ${plural(bounds.items, 'edit', 'edits')}, the most useful first; each original and each ` +
        `revision at most ${l.text} characters, and each reason at most ${l.reason} characters. An original cut off ` +
        'at that length could not be applied, so keep each edit to a sentence or two and split a longer change into ' +
        'several edits.'
      );
    case 'list':
      return (
        `${lead}at most ${plural(bounds.items, 'idea', 'ideas')}; each title at most ${l.name} characters and each ` +
        `detail at most ${l.text} characters.`
      );
    case 'summary':
      return form.chapters
        ? `${lead}one entry for each chapter, in order: ${quotedList(form.chapters.map(plainTitle))}; each summary ` +
            `at most ${l.text} characters.`
        : `${lead}at most ${plural(bounds.items, 'chapter', 'chapters')}; each summary at most ${l.text} characters.`;
    case 'route':
      return (
        `${lead}at most ${plural(bounds.items, 'step', 'steps')}; each target at most ${l.name} characters and each ` +
        `why at most ${l.text} characters.`
      );
    default:
      return form satisfies never;
  }
}

/** Where an answer's items are, and what they are called when the writer is told of them. */
const ITEMS: Record<AnswerForm['kind'], { key: string; noun: string; cut: string }> = {
  findings: { key: 'findings', noun: 'findings', cut: 'findings' },
  edits: { key: 'edits', noun: 'edits', cut: "edits' reasons" },
  list: { key: 'items', noun: 'ideas', cut: 'ideas' },
  summary: { key: 'chapters', noun: 'chapter summaries', cut: 'chapter summaries' },
  route: { key: 'steps', noun: 'suggested steps', cut: 'suggested steps' },
};

/** Whether `value` is a string as long as `max` characters (as the grammar counts them): it may have been cut there. */
const reached = (value: unknown, max: number) => typeof value === 'string' && [...value].length >= max;

const entries = (value: unknown, key: string): Record<string, unknown>[] => {
  const list = (value as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
};

/** Whether a string of `item` other than an edit's original or revision reached its bound. */
function cutShort(form: AnswerForm, l: ReturnType<typeof fieldLimits>, item: Record<string, unknown>): boolean {
  switch (form.kind) {
    case 'findings':
      return (
        reached(item.claim, l.claim) ||
        reached(item.suggestion, l.suggestion) ||
        entries(item, 'evidence').some((e) => reached(e.quote, l.text) || reached(e.location, l.location))
      );
    case 'edits':
      return reached(item.reason, l.reason);
    case 'list':
      return reached(item.title, l.name) || reached(item.detail, l.text);
    case 'summary':
      return reached(item.summary, l.text);
    case 'route':
      return reached(item.target, l.name) || reached(item.why, l.text);
    default:
      return form satisfies never;
  }
}

/**
 * `answer`, read from `written` (the JSON as the model wrote it, before its strings were trimmed), with what its bounds
 * mean for it: notices when it reached them, and each edit that may be cut short not applied.
 */
export function withinBounds(answer: RunAnswer, { form, bounds }: BoundedForm, written: unknown): RunAnswer {
  const l = fieldLimits(bounds);
  const { key, noun, cut } = ITEMS[form.kind];
  const items = entries(written, key);
  const notices: string[] = [];
  if (form.kind === 'findings' && bounds.items === 0) {
    notices.push(
      "This model's context had no room left for findings after the passage, so none could be reported. Run the " +
        'task on a shorter passage, or on a model with a larger context.',
    );
  } else if ((form.kind === 'findings' || form.kind === 'edits') && items.length >= bounds.items) {
    // Findings and edits are what the model saw in the passage: at the most allowed, there may be more. Ideas, steps
    // and a passage's chapters are as many as were asked for.
    notices.push(
      `Only ${items.length} ${noun} fit in what this model can write at once, and it gave ${items.length}: there may ` +
        'be more. Run the task on a shorter passage, or on a model with a larger context, to see them.',
    );
  }
  // An edit whose original may be cut short would leave the rest of its sentence behind when applied, and one whose
  // revision may be would put half a sentence in a whole one's place: shown, never applied.
  const unsafe = items.map((e) => form.kind === 'edits' && (reached(e.original, l.text) || reached(e.revised, l.text)));
  const problem = `It may be cut short: it reached the ${l.text} characters this model can write for an edit`;
  const read =
    answer.kind === 'edits'
      ? { ...answer, edits: answer.edits.map((edit, i) => (unsafe[i] ? { ...edit, problem } : edit)) }
      : answer;
  const notApplied = unsafe.filter(Boolean).length;
  if (notApplied > 0) {
    notices.push(
      `${plural(notApplied, 'edit', 'edits')} reached the length this model can write for one and may be cut short: ` +
        `${notApplied === 1 ? 'it is' : 'they are'} shown but not applied.`,
    );
  }
  if (items.some((item, i) => !unsafe[i] && cutShort(form, l, item)))
    notices.push(`Some ${cut} reached the length this model can write for one and may be cut short.`);
  return notices.length > 0 ? { ...read, notices: [...(read.notices ?? []), ...notices] } : read;
}
