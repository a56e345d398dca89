// A call that came back without an answer to use: the model declined (in its own words, or its provider's content
// filter stopped it before anything usable), or its allowance ran out before the answer was written (a reasoning
// model's thinking counts towards it). Such a call is charged what the provider billed and never repaired (asked
// again, it would decline or stop the same way); the run moves on along its chain. Said in a writer's words, with the
// step that helps.
import type { ErrorInfo, ModelSpec } from '../../src-preload/contract';
import { QuireError } from '../errors';
import type { AttemptResult } from './model-attempt';

/** Why a call has no answer to use; `declined`: the model (or its filter) would not write one. */
export interface NoAnswer {
  readonly error: QuireError;
  readonly declined: boolean;
}

/** The answer's allowance: its max output tokens, and whether the writer chose fewer than the task's own. */
export interface Allowance {
  readonly tokens: number;
  readonly canLengthen: boolean;
}

/** A refusal is quoted up to this many characters. */
const REFUSAL_CHARS = 300;

/**
 * Why `result` (answered by `spec`) has no answer to use, or null when it has one. `readable`: its text reads in the
 * run's form (prose always does). A readable answer the filter cut off partway is kept (filterNotice says so); an
 * unreadable one that stopped normally is left to the run's one repair.
 */
export function noAnswer(
  spec: ModelSpec,
  result: Pick<AttemptResult, 'text' | 'usage' | 'finishReason' | 'refusal'>,
  readable: boolean,
  allowance: Allowance,
): NoAnswer | null {
  const name = spec.display_name;
  if (result.refusal !== undefined) return declined(`${name} declined this passage: “${quoted(result.refusal)}”`);
  const empty = result.text.trim() === '';
  if (readable && !empty) return null;
  if (result.finishReason === 'content_filter')
    return declined(`${name} declined this passage (its content filter stopped it).`);
  if (result.finishReason === 'length') return { error: ranOut(spec, result, empty, allowance), declined: false };
  return null;
}

/** The notice on a completed run whose answer the provider's content filter cut off partway (its text is kept). */
export function filterNotice(spec: ModelSpec, result: AttemptResult): ErrorInfo | null {
  if (result.finishReason !== 'content_filter') return null;
  return {
    code: 'provider_error',
    message:
      `${spec.display_name}'s content filter cut this answer off partway: what it wrote before that is kept, but the ` +
      'rest is missing. To get all of it, choose another model or quality tier for it.',
    retryable: true,
    advised: true,
  };
}

function declined(said: string): NoAnswer {
  return {
    error: new QuireError('provider_error', `${said} Nothing changed. Choose another model or quality tier for it.`, {
      retryable: true,
      advised: true,
    }),
    declined: true,
  };
}

/** The allowance ran out with nothing written, or with an answer broken off before it could be read. */
function ranOut(
  spec: ModelSpec,
  result: Pick<AttemptResult, 'usage'>,
  empty: boolean,
  allowance: Allowance,
): QuireError {
  const name = spec.display_name;
  const tokens = allowance.tokens.toLocaleString('en-US');
  // The registry marks models that think before they answer; a provider that counts thinking tokens says so too.
  const thinks = spec.capabilities.reasoning === true || (result.usage.reasoningTokens ?? 0) > 0;
  const what = thinks
    ? `${name} thinks before it answers, and its thinking used up ${empty ? 'its whole' : 'too much of its'} ` +
      `allowance of ${tokens} tokens: ${empty ? 'it wrote no answer' : 'its answer broke off before it was finished'}.`
    : empty
      ? `${name} reached its length limit (${tokens} tokens) before writing an answer.`
      : `${name}'s answer reached its length limit (${tokens} tokens) before it was finished, so Quire could not read it.`;
  const unused = empty ? 'Nothing changed.' : 'Its answer was not used, so nothing changed.';
  const other = thinks ? 'a model that does not think first' : 'another model';
  const step = allowance.canLengthen
    ? `Choose a longer answer length, or ${other}.`
    : thinks
      ? `Choose ${other}.`
      : `Try a shorter passage, or ${other}.`;
  return new QuireError('provider_error', `${what} ${unused} ${step}`, { retryable: true, advised: true });
}

function quoted(refusal: string): string {
  const said = refusal.trim();
  return said.length > REFUSAL_CHARS ? `${said.slice(0, REFUSAL_CHARS - 1)}…` : said;
}
