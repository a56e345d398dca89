// Who sits in a tournament: the N best distinct candidates for the task that fit the cost cap and what is left of the
// monthly budget together, preferring different model families (two fine-tunes of one base model agreeing is weak
// evidence), local models eligible. When the full set does not fit, fewer or cheaper members — down to two — or a
// reason why not. Pure: worst-case costs come in already priced (A's worstCaseUsd), nothing is computed here.
import type { ModelSpec } from '../../src-preload/contract';
import { usdLeftText, usdText } from '../../src-preload/contract/usd-text';

export interface SelectionCandidate {
  spec: ModelSpec;
  /** Higher is better for this task (the router's ranking or quality estimate). */
  score: number;
  /** This member's worst-case cost for the task (input tokens + max output), USD; 0 for local models. */
  worst_case_usd: number;
}

export interface SelectionRequest {
  /** Eligible candidates (available, within the tier), best first. */
  candidates: readonly SelectionCandidate[];
  /** Wanted members (settings.tournament.num_models or the request's n). */
  n: number;
  cost_cap_usd: number | null;
  /** Monthly budget minus spent and reserved; null = unlimited. */
  remaining_budget_usd: number | null;
}

export interface SelectedMember {
  model_id: string;
  family: string;
  worst_case_usd: number;
  score: number;
}

export type SelectionResult =
  | {
      ok: true;
      members: SelectedMember[];
      total_worst_case_usd: number;
      /** The binding limit (min of cap and remaining budget); null when neither applies. */
      limit_usd: number | null;
      /** Why the set differs from the N best, for the writer ("3 did not fit the $0.05 cap: 2 members"). */
      notes: string[];
    }
  | { ok: false; reason: 'too_few_candidates' | 'cost_cap' | 'budget'; message: string };

/** At most this many top candidates are searched (C(12, 5) = 792 sets: instant). */
const SEARCH_WIDTH = 12;
const EPSILON = 1e-9;

/**
 * The base family a model belongs to. Cloud models: their provider (an OpenAI model and an OpenAI fine-tune are one
 * voice). Local, custom-endpoint and OpenRouter models: the leading name of their id ("qwen2.5-7b" → "qwen",
 * "anthropic/claude-sonnet-4.6" → "anthropic"), so a local Qwen and Alibaba's cloud Qwen count as one family too, and
 * Claude through OpenRouter is still Claude.
 */
export function familyOf(spec: ModelSpec): string {
  const byName = /^[a-z]+/.exec((spec.local?.catalog_id ?? spec.api_model_id ?? spec.id).toLowerCase())?.[0];
  if (spec.provider === 'local' || spec.provider === 'openai-compatible' || spec.provider === 'openrouter')
    return normalizeFamily(byName ?? spec.id);
  return normalizeFamily(spec.provider);
}

function normalizeFamily(name: string): string {
  if (name === 'gpt' || name === 'o') return 'openai';
  if (name === 'claude') return 'anthropic';
  if (name === 'gemini' || name === 'gemma' || name === 'google') return 'gemini';
  return name;
}

export function selectMembers(request: SelectionRequest): SelectionResult {
  const seen = new Set<string>();
  const pool = request.candidates
    .filter((c) => (seen.has(c.spec.id) ? false : (seen.add(c.spec.id), true)))
    .slice(0, SEARCH_WIDTH);
  const n = Math.max(2, Math.floor(request.n));
  if (pool.length < 2) {
    return {
      ok: false,
      reason: 'too_few_candidates',
      message: `A tournament needs at least two models that can run this task; ${pool.length === 1 ? 'only one is' : 'none are'} available.`,
    };
  }
  const limits = [request.cost_cap_usd, request.remaining_budget_usd].filter((x): x is number => x !== null);
  const limit = limits.length ? Math.min(...limits) : null;
  const fits = (total: number) => limit === null || total <= limit + EPSILON;

  for (let k = Math.min(n, pool.length); k >= 2; k--) {
    let best: { set: SelectionCandidate[]; families: number; score: number; cost: number } | undefined;
    for (const set of combinations(pool, k)) {
      const cost = set.reduce((sum, c) => sum + c.worst_case_usd, 0);
      if (!fits(cost)) continue;
      const families = new Set(set.map((c) => familyOf(c.spec))).size;
      const score = set.reduce((sum, c) => sum + c.score, 0);
      if (
        !best ||
        families > best.families ||
        (families === best.families &&
          (score > best.score + EPSILON || (Math.abs(score - best.score) <= EPSILON && cost < best.cost)))
      ) {
        best = { set, families, score, cost };
      }
    }
    if (!best) continue;
    const members = best.set
      .map((c) => ({ model_id: c.spec.id, family: familyOf(c.spec), worst_case_usd: c.worst_case_usd, score: c.score }))
      .sort((a, b) => b.score - a.score);
    const notes: string[] = [];
    if (k < n && pool.length >= n) {
      notes.push(`${n} members did not fit ${describeLimit(request)}; running with ${k}.`);
    } else if (k < n) {
      notes.push(`Only ${pool.length} models can run this task; running with ${k}.`);
    }
    const topIds = pool.slice(0, k).map((c) => c.spec.id);
    const swapped = members.filter((m) => !topIds.includes(m.model_id)).map((m) => m.model_id);
    const named = swapped.map((id) => pool.find((c) => c.spec.id === id)?.spec.display_name ?? id);
    if (named.length) notes.push(`Chosen for cost or a different provider: ${named.join(', ')}.`);
    return { ok: true, members, total_worst_case_usd: best.cost, limit_usd: limit, notes };
  }

  const cheapestPair = [...pool].sort((a, b) => a.worst_case_usd - b.worst_case_usd).slice(0, 2);
  const need = cheapestPair.reduce((sum, c) => sum + c.worst_case_usd, 0);
  const capBinds =
    request.cost_cap_usd !== null &&
    (request.remaining_budget_usd === null || request.cost_cap_usd <= request.remaining_budget_usd);
  return {
    ok: false,
    reason: capBinds ? 'cost_cap' : 'budget',
    message:
      `Even the two cheapest members (${cheapestPair.map((c) => c.spec.display_name).join(' and ')}) need up to ` +
      `${usdText(need)}, more than ${describeLimit(request, need)}.` +
      (capBinds ? ' Raise the tournament cost cap in Settings → Tournaments to run it as a tournament.' : ''),
  };
}

/** The limits `need` is over, and only those (a cap it fits under is not what stops it); without `need`, every one. */
function describeLimit(request: SelectionRequest, need = Infinity): string {
  const parts: string[] = [];
  if (request.cost_cap_usd !== null && need > request.cost_cap_usd)
    parts.push(`the ${usdText(request.cost_cap_usd)} tournament cap`);
  if (request.remaining_budget_usd !== null && need > request.remaining_budget_usd)
    parts.push(`the ${usdLeftText(request.remaining_budget_usd)} left in this month's budget`);
  return parts.join(' and ') || 'the limits';
}

function* combinations<T>(items: readonly T[], k: number, start = 0, prefix: T[] = []): Generator<T[]> {
  if (prefix.length === k) {
    yield [...prefix];
    return;
  }
  for (let i = start; i <= items.length - (k - prefix.length); i++) {
    prefix.push(items[i]!);
    yield* combinations(items, k, i + 1, prefix);
    prefix.pop();
  }
}

/**
 * Verification mode's pair: the best candidate answers; the verifier is the cheapest other candidate of a different
 * family when there is one (a reviewer from the same family shares its blind spots), else the cheapest other.
 */
export function selectVerifier(
  primary: SelectionCandidate,
  candidates: readonly SelectionCandidate[],
): SelectionCandidate | undefined {
  const others = candidates.filter((c) => c.spec.id !== primary.spec.id);
  const byCost = [...others].sort((a, b) => a.worst_case_usd - b.worst_case_usd || b.score - a.score);
  return byCost.find((c) => familyOf(c.spec) !== familyOf(primary.spec)) ?? byCost[0];
}
