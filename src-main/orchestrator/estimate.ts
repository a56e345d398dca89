// Seed 000's monthly estimate: for a tier and runs per task, what each task's pick would cost with the tokens the
// writer's own runs of it used, else the task's typical tokens (a reasoning pick's typical thinking included).
import type { Estimate, ModelSpec, QualityTier, TaskSpec } from '../../src-preload/contract';
import type { RunTokens } from '../../src-preload/contract/orchestrator';
import { budgetedMonth } from './budget-month';
import { decide, effortOf, requireTask, type DecisionInputs } from './decide';
import { expectedUsd } from './pricing';
import { expectedThinkingTokens } from './thinking';

import { roundUsd } from '../../src-preload/contract/usd-text';

/** To the micro-dollar, as the ledger stores money (one rule with the renderer's: the contract's). */
export { roundUsd };

export function estimateMonthly(
  tier: QualityTier,
  usage: Readonly<Record<string, number>>,
  inputs: DecisionInputs,
  price: (spec: ModelSpec, input: number, output: number) => number = expectedUsd,
  tokens: RunTokens = {},
): Estimate {
  // Validate every task before computing anything: one unknown task fails the whole request.
  for (const task of Object.keys(usage)) requireTask(inputs.tasks, task, `usage.${task}`);
  // A plan, not a call: the tier's pick as if the budget were open, with the orchestrator on (and beside it, with a
  // budget set, the month as its runs would be decided against it).
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
    const cost = spec ? typicalCallUsd(spec, task, inputs, price, tokens[taskId]) * runs : 0;
    byTask[taskId] = roundUsd(cost);
    if (spec) byModel[spec.id] = roundUsd((byModel[spec.id] ?? 0) + cost);
    total += cost;
  }
  const budget = inputs.settings.monthly_budget;
  const estimate: Estimate = { tier, total_usd: roundUsd(total), by_task: byTask, by_model: byModel, picks };
  if (budget === null) return estimate;
  return { ...estimate, within_budget: budgetedMonth(tier, usage, inputs, budget, runUsdOf(inputs, price, tokens)) };
}

/** What a typical run of a task costs on a model, as the month is priced (the writer's own tokens where known). */
export function runUsdOf(
  inputs: Pick<DecisionInputs, 'tasks' | 'efforts'>,
  price: (spec: ModelSpec, input: number, output: number) => number = expectedUsd,
  tokens: RunTokens = {},
): (spec: ModelSpec, task: string) => number {
  return (spec, task) => typicalCallUsd(spec, inputs.tasks.get(task)!, inputs, price, tokens[task]);
}

/**
 * A typical call of `task` on `spec`: the writer's own runs' input and answer where known (`own`), else the task's
 * typical ones, and for a reasoning model the thinking it typically spends at the task's effort (billed as output;
 * thinking.ts).
 */
export function typicalCallUsd(
  spec: ModelSpec,
  task: TaskSpec,
  inputs: Pick<DecisionInputs, 'efforts'>,
  price: (spec: ModelSpec, input: number, output: number) => number = expectedUsd,
  own?: { input: number; output?: number | undefined },
): number {
  const thinking = expectedThinkingTokens(spec, effortOf({ task: task.id }, inputs));
  const input = own?.input ?? task.typical_input_tokens;
  const output = own?.output ?? task.typical_output_tokens;
  return price(spec, input, output + thinking);
}
