// What removing a provider's key (or a custom endpoint) changes, in a writer's words, from orchestrator:key_impact:
// the writer's own tier in full (the models, the tasks, where they go or that they cannot run, and the runs the monthly
// budget steps down onto it), the other tiers in a few words each.
import type { QualityTier } from '$contract';
import type { KeyDependent, KeyImpact } from '$contract/orchestrator';
import { usdText } from '$contract/usd-text';
import { TIERS, TIER_INFO } from './tiers';
import { joinAnd } from '$contract/list-text';

interface Names {
  model: (id: string) => string;
  task: (id: string) => string;
}

/** Tasks that cannot run are named up to this many, then counted. */
const NAMED = 3;

/** A tier's own picks' words, and its budget's step-downs' (where those runs go; none left: next month). */
const OWN = { uses: 'uses', moves: 'move', moves1: 'moves', none: 'cannot run', none1: 'cannot run' };
const STEP = {
  uses: 'steps down to',
  moves: 'step down',
  moves1: 'steps down',
  none: 'wait for next month',
  none1: 'waits for next month',
};

export function keyImpactText(
  impact: KeyImpact,
  current: QualityTier,
  names: Names,
  providerName: string,
  /** What is removed: a provider's key, or a custom endpoint. */
  noun: 'key' | 'endpoint' = 'key',
): string {
  const others = TIERS.filter((tier) => tier !== current && impact.tiers[tier].length > 0);
  const mine = impact.tiers[current].filter((row) => !row.step_down);
  const steps = impact.tiers[current].filter((row) => row.step_down);
  if (mine.length === 0 && steps.length === 0 && others.length === 0)
    return noun === 'key'
      ? `No tier picks ${article(providerName)} model now: no task changes.`
      : `No tier picks one of its models now: no task changes.`;
  const label = TIER_INFO[current].label;
  const budget = impact.budget_usd === null ? 'your budget' : `your ${usdText(impact.budget_usd)} budget`;
  let lead: string;
  if (mine.length > 0) {
    lead = `${label}, your tier, ${yourTier(mine, names, noun, OWN)}.`;
    if (steps.length > 0) {
      const more = `${steps.length} more task${steps.length === 1 ? '' : 's'}`;
      lead += ` As ${budget} runs low, it steps down to it for ${more}: without this ${noun}, ${whereTo(steps, names, STEP, true)}.`;
    }
  } else if (steps.length > 0) {
    lead = `${label}, your tier, ${yourTier(steps, names, noun, STEP, ` as ${budget} runs low`)}.`;
  } else lead = `${label}, your tier, does not use it.`;
  const rest = others.map((tier) => {
    const rows = impact.tiers[tier];
    const own = rows.filter((row) => !row.step_down);
    const stepped = rows.length - own.length;
    const too = mine.length + steps.length > 0 ? ' too' : '';
    if (own.length === 0) return ` ${TIER_INFO[tier].label} steps down to it for ${count(stepped)}${too}.`;
    const stranded = own.filter((row) => row.moves_to === null).length;
    const why =
      stranded === 0
        ? ''
        : stranded === own.length
          ? ' (none of them can run without it)'
          : ` (${stranded} cannot run without it)`;
    const andSteps = stepped > 0 ? `, and steps down to it for ${stepped} more` : '';
    return ` ${TIER_INFO[tier].label} uses it for ${count(own.length)}${too}${why}${andSteps}.`;
  });
  return lead + rest.join('');
}

function yourTier(rows: KeyDependent[], names: Names, noun: string, words: typeof OWN, when = ''): string {
  const models = [...new Set(rows.map((row) => names.model(row.model_id)))];
  const what = rows.length === 1 ? names.task(rows[0]!.task) : count(rows.length);
  return `${words.uses} ${joinAnd(models)} for ${what}${when}: without this ${noun}, ${whereTo(rows, names, words, false)}`;
}

/** Where the rows' tasks go without it; `plural`: said of "them" even when one task is named. */
function whereTo(rows: KeyDependent[], names: Names, words: typeof OWN, plural: boolean): string {
  if (rows.length === 1 && !plural) {
    const to = rows[0]!.moves_to;
    return to ? `it ${words.moves1} to ${names.model(to)}` : `it ${words.none1}`;
  }
  const moves = new Map<string, number>();
  for (const row of rows) if (row.moves_to) moves.set(row.moves_to, (moves.get(row.moves_to) ?? 0) + 1);
  const stranded = rows.filter((row) => row.moves_to === null);
  if (plural && moves.size === 0) return `they ${words.none}`;
  const parts: string[] = [];
  [...moves].forEach(([id, n], i) =>
    parts.push(`${n} ${i === 0 ? (n === 1 ? words.moves1 : words.moves) + ' ' : ''}to ${names.model(id)}`),
  );
  if (stranded.length > 0) {
    const named = stranded.slice(0, NAMED).map((row) => names.task(row.task));
    const more = stranded.length > NAMED ? ` and ${stranded.length - NAMED} more` : '';
    parts.push(`${stranded.length} ${stranded.length === 1 ? words.none1 : words.none} (${named.join(', ')}${more})`);
  }
  return joinAnd(parts);
}

function count(tasks: number): string {
  return `${tasks} task${tasks === 1 ? '' : 's'}`;
}

function article(name: string): string {
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}
