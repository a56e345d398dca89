// What Quire will do with an endpoint's model as the writer sets it up, said beside its quality and strengths: a free
// model the writer says is good at a task comes before every paid one in Lowest cost and Balanced.
import { MIN_QUALITY } from '$contract/constants';
import { joinAnd } from '$contract/list-text';
import type { TaskSpec } from '$contract/orchestrator';
import type { ModelDraft } from './endpoint-draft';
import { readNumber } from './number-text';

const PICK_IT = 'You can still pick it in the Workbench or a model pack.';

/** The line under a model of the endpoint form; null while its quality is not a number (the form says so itself). */
export function endpointModelUse(
  draft: Pick<ModelDraft, 'quality' | 'strengths' | 'input_usd_per_mtok' | 'output_usd_per_mtok'>,
  tasks: readonly Pick<TaskSpec, 'display_name' | 'strength'>[],
): string | null {
  const quality = readNumber(draft.quality, { decimal: true });
  if (!quality.ok || quality.value === null) return null;
  const fits = tasks.filter((task) => draft.strengths.includes(task.strength));
  const low = quality.value < MIN_QUALITY;
  if (fits.length === 0)
    return `Quire will not choose it on its own until you tick what it is good at${low ? ` and rate it ${MIN_QUALITY} or more` : ''}. ${PICK_IT}`;
  if (low)
    return `Quire will not choose it on its own: rated ${quality.value}, below the ${MIN_QUALITY} it needs. ${PICK_IT}`;
  const names = joinAnd(fits.map((task) => task.display_name));
  const price = (text: string) => readNumber(text, { decimal: true });
  const input = price(draft.input_usd_per_mtok);
  const output = price(draft.output_usd_per_mtok);
  const free = input.ok && output.ok && input.value === 0 && output.value === 0;
  return free
    ? `Quire will use this for: ${names}. It is free, so Lowest cost and Balanced pick it for these before any paid model.`
    : `Quire may use this for: ${names}, when it is the best fit of your tier.`;
}
