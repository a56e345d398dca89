// What removing a provider's key changes, in a writer's words, from orchestrator:key_impact: the writer's own tier in
// full (the models, the tasks, where they go or that they cannot run), the other tiers in a few words each.
import type { QualityTier } from '$contract';
import type { KeyDependent, KeyImpact } from '$contract/orchestrator';
import { TIERS, TIER_INFO } from './tiers';
import { joinAnd } from '$contract/list-text';

interface Names {
  model: (id: string) => string;
  task: (id: string) => string;
}

/** Tasks that cannot run are named up to this many, then counted. */
const NAMED = 3;

export function keyImpactText(impact: KeyImpact, current: QualityTier, names: Names, providerName: string): string {
  const others = TIERS.filter((tier) => tier !== current && impact.tiers[tier].length > 0);
  const mine = impact.tiers[current];
  if (mine.length === 0 && others.length === 0)
    return `No tier picks ${article(providerName)} model now: no task changes.`;
  const label = TIER_INFO[current].label;
  const lead =
    mine.length === 0 ? `${label}, your tier, does not use it.` : `${label}, your tier, ${yourTier(mine, names)}`;
  const rest = others.map((tier) => {
    const rows = impact.tiers[tier];
    const stranded = rows.filter((row) => row.moves_to === null).length;
    const why =
      stranded === 0
        ? ''
        : stranded === rows.length
          ? ' (none of them can run without it)'
          : ` (${stranded} cannot run without it)`;
    return ` ${TIER_INFO[tier].label} uses it for ${count(rows.length)}${mine.length > 0 ? ' too' : ''}${why}.`;
  });
  return lead + rest.join('');
}

function yourTier(rows: KeyDependent[], names: Names): string {
  const models = [...new Set(rows.map((row) => names.model(row.model_id)))];
  const what = rows.length === 1 ? names.task(rows[0]!.task) : count(rows.length);
  const moves = new Map<string, number>();
  for (const row of rows) if (row.moves_to) moves.set(row.moves_to, (moves.get(row.moves_to) ?? 0) + 1);
  const stranded = rows.filter((row) => row.moves_to === null);
  const parts: string[] = [];
  if (rows.length === 1) {
    parts.push(rows[0]!.moves_to ? `it moves to ${names.model(rows[0]!.moves_to)}` : 'it cannot run');
  } else {
    [...moves].forEach(([id, n], i) => parts.push(`${n} ${i === 0 ? 'move ' : ''}to ${names.model(id)}`));
    if (stranded.length > 0) {
      const named = stranded.slice(0, NAMED).map((row) => names.task(row.task));
      const more = stranded.length > NAMED ? ` and ${stranded.length - NAMED} more` : '';
      parts.push(`${stranded.length} cannot run (${named.join(', ')}${more})`);
    }
  }
  return `uses ${joinAnd(models)} for ${what}: without this key, ${joinAnd(parts)}.`;
}

function count(tasks: number): string {
  return `${tasks} task${tasks === 1 ? '' : 's'}`;
}

function article(name: string): string {
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}
