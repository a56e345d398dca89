// The refusals a gateway call is answered with in the app's terms: what its own settings (local models only, its cap,
// no max_tokens) have to do with it, and the step past a name nothing set up can run.
import type { ModelSpec, RunStart } from '../../src-preload/contract';
import { isQuireError } from '../errors';
import { joinAnd } from '../../src-preload/contract/list-text';
import { ownOutput } from '../runs/task-run';
import type { TokenRow } from './gateway-repo';
import { listModelNames, type ModelNameSources } from './model-names';
import { toWireError, wire, WireError } from './wire-errors';

/**
 * No model could take a call from a "local models only" app: the app's own setting is (at least part of) why, and it
 * will not change by retrying, so the refusal is a 403 that says where the setting is, not a 503 the SDKs retry.
 */
export function localOnlyRefusal(token: TokenRow, start: RunStart, error: unknown): WireError | null {
  // A local model named by the app: the setting allows it, so its own reason (not downloaded, …) is the whole answer.
  if (start.model !== undefined) return null;
  if (!token.local_only || !isQuireError(error) || error.code !== 'unavailable') return null;
  return wire.forbidden(localOnlyWhy(token, error.message));
}

/** Why nothing could run for a "local models only" app, with the setting that is (at least part of) why. */
export function localOnlyWhy(token: TokenRow, why: string): string {
  return `${why} "${token.name}" may use local models only: that is this app's “local models only” setting in Quire's gateway settings. Use a local model that can do this work, or allow this app cloud models there.`;
}

/** A "local models only" app named a cloud model. */
export function cloudForLocalOnly(token: TokenRow, spec: ModelSpec): string {
  return `"${token.name}" may use local models only, and ${spec.display_name} is a cloud model. Use a local model or quire/auto.`;
}

/** Why a call that set no max_tokens holds so much, and what holds less. */
const UNBOUNDED =
  'This call set no max_tokens, so it is held at the most the model may write; a max_tokens holds less.';

/**
 * Over the budget or a cap, a call that set no max_tokens was weighed at everything its model may write: the refusal
 * says so, since the app's own max_tokens would have held less. Null for any other error or call.
 */
export function unboundedRefusal(start: RunStart, error: unknown): WireError | null {
  if (!ownOutput(start)) return null;
  if (error instanceof WireError && error.init.status === 429 && error.init.openaiType === 'insufficient_quota')
    return wire.quota(`${error.message} ${UNBOUNDED}`);
  if (isQuireError(error) && error.code === 'budget_exceeded') return wire.quota(`${error.message} ${UNBOUNDED}`);
  return null;
}

/**
 * Nothing set up can run the name (no model with the strength, no key, nothing downloaded), said without the step
 * that gets past it: the app is told the names it can call now, and where the writer gives Quire a model. Null for
 * any other error, or one whose message already ends with its step.
 */
export function unsetUpRefusal(
  error: unknown,
  unavailable: (name: string) => string | null,
  sources: ModelNameSources,
): WireError | null {
  // Too long for what could run it: its own words say what a shorter text may fit in.
  if (!isQuireError(error) || error.code !== 'unavailable' || error.retryable || error.advised || error.tooLong)
    return null;
  const names = listModelNames(sources)
    .map((m) => m.id)
    .filter((id) => unavailable(id) === null);
  // Models by their ids first: an app whose quire/* name cannot run is most likely to want one of those.
  const callable = [
    ...names.filter((id) => !id.startsWith('quire/')),
    ...names.filter((id) => id.startsWith('quire/')),
  ];
  const shown = callable.length > 3 ? [...callable.slice(0, 2), `${callable.length - 2} more`] : callable;
  const step =
    callable.length > 0
      ? `This app can call ${joinAnd(shown)} now (GET /v1/models lists them), or give Quire a model that can do this in its Settings → AI Intelligence.`
      : 'Give Quire a model that can do this in its Settings → AI Intelligence (an API key, or a downloaded local model); GET /v1/models then lists it.';
  const wired = toWireError(error);
  return new WireError(`${error.message} ${step}`, wired.init);
}
