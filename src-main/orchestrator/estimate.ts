// Seed 000's monthly estimate: for a tier and runs per task, what each task's pick would cost with typical tokens.
import type { Estimate, ModelSpec, QualityTier } from '../../src-preload/contract';
import { decide, requireTask, type DecisionInputs } from './decide';
import { expectedUsd } from './pricing';

export function estimateMonthly(
  tier: QualityTier,
  usage: Readonly<Record<string, number>>,
  inputs: DecisionInputs,
  price: (spec: ModelSpec, input: number, output: number) => number = expectedUsd,
): Estimate {
  // Validate every task before computing anything: one unknown task fails the whole request.
  for (const task of Object.keys(usage)) requireTask(inputs.tasks, task, `usage.${task}`);
  // A plan, not a call: the tier's pick as if the budget were open, with the orchestrator on.
  const planInputs: DecisionInputs = {
    ...inputs,
    settings: { ...inputs.settings, enabled: true, monthly_budget: null },
  };
  const byModelId = new Map(inputs.registry.map((m) => [m.id, m]));
  const byTask: Record<string, number> = {};
  const byModel: Record<string, number> = {};
  const picks: Record<string, string | null> = {};
  let total = 0;
  for (const [taskId, runs] of Object.entries(usage)) {
    const task = inputs.tasks.get(taskId)!;
    const decision = decide({ task: taskId, tier }, planInputs);
    picks[taskId] = decision.model_id;
    const spec = decision.model_id ? byModelId.get(decision.model_id) : undefined;
    const cost = spec ? price(spec, task.typical_input_tokens, task.typical_output_tokens) * runs : 0;
    byTask[taskId] = roundUsd(cost);
    if (spec) byModel[spec.id] = roundUsd((byModel[spec.id] ?? 0) + cost);
    total += cost;
  }
  return { tier, total_usd: roundUsd(total), by_task: byTask, by_model: byModel, picks };
}

/** To the micro-dollar, as the ledger stores money. */
export function roundUsd(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
