// A local model's answer bounds as the model and the writer hear of them, for every call that asks one for a structured
// answer (a single run, each call of a job in parts, a tournament's member): its request is bounded by one rule
// (askLocal), the model is told the bounds with its instruction (how many, how long), so it chooses what to keep rather
// than running into the grammar's limit mid-sentence; the writer is told when the answer reached them (as many
// findings as allowed, so there may be more; text that may be cut short), and an edit whose original or revision may
// be cut short is never applied (it would leave the rest of the sentence behind, or replace a whole sentence with half
// of one).
import type { RunAnswer } from '../../src-preload/contract/tasks';
import { estimateInputTokens, estimateTextTokens } from '../../src-preload/contract/tokens';
import { RETRY_NOTE_TOKENS } from '../orchestrator/pricing';
import type { ChatMessage, GenerateRequest } from '../providers/spec';
import {
  boundedAnswerSchema,
  fieldLimits,
  leastAnswerTokens,
  localAnswerBounds,
  passageCost,
  plainTitle,
  type AnswerBounds,
  type AnswerForm,
} from './answer-schema';
import { joinAnd } from '../../src-preload/contract/list-text';

/**
 * A local request's answer: its form and the bounds its grammar was built with. `held`: what held it to them when it
 * was not the room in the model's context — the answer length the writer chose, or that length `raised` to hold a
 * finding it had no room for.
 */
export interface BoundedForm {
  form: AnswerForm;
  bounds: AnswerBounds;
  held?: 'length' | 'raised';
}

/** A local request for an answer of `bounded.form`, and the bounds its grammar was built with. */
export interface LocalAsk {
  request: GenerateRequest;
  bounded: BoundedForm;
}

/**
 * What a local model's answer may use. `context`: the model's, whose room left after the request the answer takes in
 * `whole` (a local model's tokens cost nothing) when no length stands; otherwise the request's own budget stands (a
 * length the writer chose, or the room a job's plan left each call), never held within that room below the least
 * answer that reports a finding (leastAnswerTokens): held there, a findings run reported none and said it completed.
 * `chosen`: the answer length the writer chose, when they did.
 */
export interface LocalRoom {
  context: number;
  whole: boolean;
  chosen: number | null;
}

/**
 * `request` as a local model is asked it for an answer of `form` about `passage` (the text the answer quotes and is
 * written in the language of), with the room `room` says it has. Its grammar cannot close the JSON once the output
 * budget has run out, so it gets the form's schema bounded so that its answer, counted as realistically as that text
 * (passageCost), closes within the budget, and is told those bounds with its instruction.
 */
export function askLocal(request: GenerateRequest, form: AnswerForm, passage: string, room: LocalRoom): LocalAsk {
  const cost = passageCost(passage);
  const left = roomLeft(room.context, request.messages, form);
  const maxOutputTokens = Math.max(
    request.maxOutputTokens,
    room.whole ? left : Math.min(left, leastAnswerTokens(form, cost)),
  );
  const bounds = localAnswerBounds(form, maxOutputTokens, cost);
  // A longer length gives more only while the context has room for it.
  const held =
    room.chosen === null
      ? undefined
      : maxOutputTokens > room.chosen
        ? 'raised'
        : room.chosen < left
          ? 'length'
          : undefined;
  const bounded: BoundedForm = { form, bounds, ...(held ? { held } : {}) };
  return {
    request: {
      ...request,
      messages: withGuidance(request.messages, limitsGuidance(bounded)),
      maxOutputTokens,
      jsonSchema: boundedAnswerSchema(form, bounds),
    },
    bounded,
  };
}

/** What the chat template adds around the messages beyond the estimate's framing (Llama 3's dated system header). */
const TEMPLATE_TOKENS = 64;

/**
 * The tokens a local model's context has left for the answer: less the prompt, its limits paragraph (counted with every
 * number at five digits) and a retry's note (RETRY_NOTE_TOKENS: the repair's request when the answer cannot go back).
 * The prompt is counted by the estimate the decision placed the run with (above a local model's own count of English).
 */
export function roomLeft(context: number, messages: readonly ChatMessage[], form: AnswerForm): number {
  const widest = { items: 99_999, evidence: 99_999, facts: 99_999, timeline: 99_999, text: 99_999 };
  const guidance = estimateTextTokens(limitsGuidance({ form, bounds: widest })) + 2;
  return context - estimateInputTokens(messages) - guidance - RETRY_NOTE_TOKENS - TEMPLATE_TOKENS;
}

/** The instruction (the system message) with `guidance` as its last paragraph. */
function withGuidance(messages: readonly ChatMessage[], guidance: string): ChatMessage[] {
  return messages.map((m, i) =>
    i === 0 && m.role === 'system' ? { ...m, content: `${m.content}\n\n${guidance}` } : m,
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "a", "b" and "c" */
function quotedList(names: readonly string[]): string {
  return joinAnd(names.map((n) => `"${n}"`));
}

/** The paragraph appended to the instruction of a local model answering under these bounds. */
export function limitsGuidance({ form, bounds }: BoundedForm): string {
  const l = fieldLimits(bounds);
  const lead = 'Keep your answer within these limits (anything longer is cut off): ';
  const story = 'story' in form && form.story ? ` ${storyGuidance(bounds)}` : '';
  switch (form.kind) {
    case 'findings':
      if (bounds.items === 0)
        return `${lead}there is no room for findings here; answer ${story ? '"findings": []' : '{"findings": []}'}.${story}`;
      return (
        `${lead}at most ${plural(bounds.items, 'finding', 'findings')}, the most important first; each claim at most ` +
        `${l.claim} characters and each quote at most ${l.text} characters (the words that show it, not a whole ` +
        `paragraph); at most ` +
        `${plural(bounds.evidence, 'quote', 'quotes')} a finding; a location at most ${l.location} characters and a ` +
        `suggestion at most ${l.suggestion} characters.${story}`
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
      // A whole passage's chapters are each named; a part's may begin inside one headed in an earlier part.
      return form.chapters && form.every
        ? `${lead}one entry for each chapter, in order: ${quotedList(form.chapters.map(plainTitle))}; each summary ` +
            `at most ${l.text} characters.`
        : `${lead}at most ${plural(bounds.items, 'chapter', 'chapters')}; each summary at most ${l.text} ` +
            `characters.${story}`;
    case 'route':
      return (
        `${lead}at most ${plural(bounds.items, 'step', 'steps')}; each target at most ${l.name} characters and each ` +
        `why at most ${l.text} characters.`
      );
    default:
      return form satisfies never;
  }
}

/** What a job's part is told of the story so far it updates: its notes' bounds (the grammar leaves no characters). */
function storyGuidance(bounds: AnswerBounds): string {
  if (bounds.facts + bounds.timeline === 0)
    return 'There is no room for the story here: answer "story" with its lists empty.';
  return (
    `In "story": at most ${plural(bounds.facts, 'fact', 'facts')} and ` +
    `${plural(bounds.timeline, 'timeline entry', 'timeline entries')}, each at most ${bounds.text} characters; ` +
    '"characters" stays empty.'
  );
}

/** Where an answer's items are, and what they are called when the writer is told of them. */
const ITEMS: Record<AnswerForm['kind'], { key: string; one: string; noun: string; cut: string }> = {
  findings: { key: 'findings', one: 'finding', noun: 'findings', cut: 'findings' },
  edits: { key: 'edits', one: 'edit', noun: 'edits', cut: "edits' reasons" },
  list: { key: 'items', one: 'idea', noun: 'ideas', cut: 'ideas' },
  summary: { key: 'chapters', one: 'chapter summary', noun: 'chapter summaries', cut: 'chapter summaries' },
  route: { key: 'steps', one: 'suggested step', noun: 'suggested steps', cut: 'suggested steps' },
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
 * What its bounds mean for an answer read from `written` (the JSON as the model wrote it, before its strings were
 * trimmed): the notices the writer reads when it reached them, and which of its edits (by position) may be cut short,
 * with why (such an edit is shown, never applied).
 */
export interface LimitsReached {
  notices: string[];
  cut: readonly boolean[];
  problem: string;
}

export function limitsReached({ form, bounds, held }: BoundedForm, written: unknown): LimitsReached {
  const l = fieldLimits(bounds);
  const { key, one, noun, cut } = ITEMS[form.kind];
  const items = entries(written, key);
  const notices: string[] = [];
  if (form.kind === 'findings' && bounds.items === 0) {
    notices.push(
      "This model's context had no room left for findings after the passage, so none could be reported. Run the " +
        'task on a shorter passage, or on a model with a larger context.',
    );
  } else if (held === 'raised') {
    // Raised only to hold one finding (askLocal): whether it gave it or none, more need a longer length.
    notices.push(
      'The answer length you chose has no room for a finding, so this model was given room for one (its answer ' +
        'costs nothing). Pick a longer answer length for more.',
    );
  } else if ((form.kind === 'findings' || form.kind === 'edits') && items.length >= bounds.items) {
    // Findings and edits are what the model saw in the passage: at the most allowed, there may be more. Ideas, steps
    // and a passage's chapters are as many as were asked for.
    notices.push(
      held === 'length'
        ? `Only ${plural(items.length, one, noun)} fit in the answer length you chose, and it gave ${items.length}: ` +
            'there may be more. Pick a longer answer length to see them.'
        : `Only ${plural(items.length, one, noun)} fit in what this model can write at once, and it gave ` +
            `${items.length}: there may be more. Run the task on a shorter passage, or on a model with a larger ` +
            'context, to see them.',
    );
  }
  // An edit whose original may be cut short would leave the rest of its sentence behind when applied, and one whose
  // revision may be would put half a sentence in a whole one's place: shown, never applied.
  const unsafe = items.map((e) => form.kind === 'edits' && (reached(e.original, l.text) || reached(e.revised, l.text)));
  const notApplied = unsafe.filter(Boolean).length;
  if (notApplied > 0) {
    notices.push(
      `${plural(notApplied, 'edit', 'edits')} reached the length this model can write for one and may be cut short: ` +
        `${notApplied === 1 ? 'it is' : 'they are'} shown but not applied.`,
    );
  }
  if (items.some((item, i) => !unsafe[i] && cutShort(form, l, item)))
    notices.push(`Some ${cut} reached the length this model can write for one and may be cut short.`);
  return {
    notices,
    cut: unsafe,
    problem: `It may be cut short: it reached the ${l.text} characters this model can write for an edit`,
  };
}

/** `edits` (in the order the model wrote them) with each one that may be cut short marked, so it is never applied. */
export function markCut<E extends { problem: string | null }>(edits: readonly E[], reached: LimitsReached): E[] {
  return edits.map((edit, i) => (reached.cut[i] ? { ...edit, problem: reached.problem } : edit));
}

/** `answer`, read from `written`, with what its bounds mean for it (limitsReached): its notices, its cut edits marked. */
export function withinBounds(answer: RunAnswer, bounded: BoundedForm, written: unknown): RunAnswer {
  const reached = limitsReached(bounded, written);
  const read = answer.kind === 'edits' ? { ...answer, edits: markCut(answer.edits, reached) } : answer;
  const { notices } = reached;
  return notices.length > 0 ? { ...read, notices: [...(read.notices ?? []), ...notices] } : read;
}
