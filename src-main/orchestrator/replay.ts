// Offline evaluation of the router: learn quality estimates from a training split of scored prompts, then replay the
// held-out prompts through each tier (and two baselines) and report mean score, cost and model shares.
import { z } from 'zod';
import {
  DEFAULT_SETTINGS,
  QUALITY_TIERS,
  type ModelSpec,
  type QualityTier,
  type TaskSpec,
} from '../../src-preload/contract';
import { decide } from './decide';
import { costUsd } from './pricing';
import { lookupFrom, statsKey, type FeedbackStats } from './quality';
import { mulberry32 } from './random';
import type { TaskTable } from './tasks';

export const replayRowSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  task: z.string().min(1),
  model: z.string().min(1),
  score: z.number().min(0).max(10),
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
});
export type ReplayRow = z.infer<typeof replayRowSchema>;

export interface PolicyResult {
  policy: string;
  calls: number;
  mean_score: number;
  total_usd: number;
  share: Record<string, number>;
}

export interface ReplayReport {
  train_ids: number;
  test_ids: number;
  skipped_ids: number;
  results: PolicyResult[];
}

export interface ReplayOptions {
  tiers?: QualityTier[];
  seed?: number;
  trainFraction?: number;
  /** When the calls are priced (DeepSeek's prices vary by time of day). */
  at?: Date;
}

export function splitIds(
  ids: string[],
  seed: number,
  trainFraction: number,
): { train: Set<string>; test: Set<string> } {
  const shuffled = [...new Set(ids)].sort();
  // Seeded so a split is reproducible from --seed.
  const next = mulberry32(seed);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const cut = Math.max(1, Math.min(shuffled.length - 1, Math.round(shuffled.length * trainFraction)));
  return { train: new Set(shuffled.slice(0, cut)), test: new Set(shuffled.slice(cut)) };
}

export function replay(
  rows: ReplayRow[],
  registry: readonly ModelSpec[],
  tasks: TaskTable,
  options: ReplayOptions = {},
): ReplayReport {
  const byId = new Map(registry.map((m) => [m.id, m]));
  const unknown = [...new Set(rows.map((r) => r.model))].filter((m) => !byId.has(m));
  if (unknown.length > 0) {
    throw new Error(`Models not in the registry: ${unknown.join(', ')} (describe them with --models <file.json>)`);
  }
  const { train, test } = splitIds(
    rows.map((r) => r.id),
    options.seed ?? 1,
    options.trainFraction ?? 0.7,
  );

  // Learn: (model, task) score statistics from the training ids; typical output length per task.
  const stats = new Map<string, FeedbackStats>();
  const outputs = new Map<string, { sum: number; n: number }>();
  for (const row of rows) {
    if (!train.has(row.id)) continue;
    const key = statsKey(row.model, row.task);
    const s = stats.get(key) ?? { count: 0, sum: 0 };
    stats.set(key, { count: s.count + 1, sum: s.sum + row.score });
    const o = outputs.get(row.task) ?? { sum: 0, n: 0 };
    outputs.set(row.task, { sum: o.sum + row.output_tokens, n: o.n + 1 });
  }
  const quality = lookupFrom(stats);

  // Tasks outside Quire's table are replayed without a strength requirement.
  const replayTasks = new Map<string, TaskSpec>(tasks);
  const looseTasks = new Set<string>();
  for (const row of rows) {
    if (replayTasks.has(row.task)) continue;
    looseTasks.add(row.task);
    replayTasks.set(row.task, {
      id: row.task,
      display_name: row.task,
      description: row.task,
      strength: 'semantic_reasoning',
      complexity: 5,
      typical_input_tokens: row.input_tokens,
      typical_output_tokens: Math.max(1, row.output_tokens),
      critical: false,
      may_leave_machine: true,
    });
  }

  const testRows = new Map<string, ReplayRow[]>();
  for (const row of rows) if (test.has(row.id)) testRows.set(row.id, [...(testRows.get(row.id) ?? []), row]);

  const pricing = options.at ? { at: options.at } : {};
  const cost = (row: ReplayRow) =>
    costUsd(byId.get(row.model)!, { inputTokens: row.input_tokens, outputTokens: row.output_tokens }, pricing);
  const policies: { name: string; pick: (candidates: ReplayRow[], task: string) => ReplayRow | undefined }[] = [];
  for (const tier of options.tiers ?? QUALITY_TIERS) {
    policies.push({
      name: tier,
      pick: (candidates, taskId) => {
        const models = candidates.map((r) => byId.get(r.model)!);
        const registryView = looseTasks.has(taskId)
          ? models.map((m) => ({ ...m, strengths: [...new Set([...m.strengths, 'semantic_reasoning' as const])] }))
          : models;
        const task = replayTasks.get(taskId)!;
        const learned = outputs.get(taskId);
        const d = decide(
          {
            task: taskId,
            tier,
            input_tokens: candidates[0]!.input_tokens,
            max_output_tokens: Math.max(1, Math.round(learned ? learned.sum / learned.n : task.typical_output_tokens)),
          },
          {
            registry: registryView,
            tasks: replayTasks,
            settings: { ...DEFAULT_SETTINGS.orchestrator, enabled: true, monthly_budget: null },
            availability: { cloudReady: () => true, localInstalled: () => true },
            spend: { month: '', spent_usd: 0, reserved_usd: 0 },
            quality,
          },
        );
        return candidates.find((r) => r.model === d.model_id);
      },
    });
  }
  policies.push({
    name: 'always cheapest',
    pick: (candidates) => [...candidates].sort((a, b) => cost(a) - cost(b) || a.model.localeCompare(b.model))[0],
  });
  policies.push({
    name: 'always best',
    pick: (candidates) =>
      [...candidates].sort(
        (a, b) => byId.get(b.model)!.quality - byId.get(a.model)!.quality || a.model.localeCompare(b.model),
      )[0],
  });

  let skipped = 0;
  const results = policies.map(({ name, pick }) => {
    let calls = 0;
    let score = 0;
    let total = 0;
    const counts: Record<string, number> = {};
    for (const candidates of testRows.values()) {
      const chosen = pick(candidates, candidates[0]!.task);
      if (!chosen) {
        if (name === policies[0]!.name) skipped++;
        continue;
      }
      calls++;
      score += chosen.score;
      total += cost(chosen);
      counts[chosen.model] = (counts[chosen.model] ?? 0) + 1;
    }
    const share = Object.fromEntries(
      Object.entries(counts).map(([m, n]) => [m, Math.round((n / Math.max(1, calls)) * 1000) / 1000]),
    );
    return { policy: name, calls, mean_score: calls ? score / calls : 0, total_usd: total, share };
  });
  return { train_ids: train.size, test_ids: test.size, skipped_ids: skipped, results };
}

export function formatReport(report: ReplayReport): string {
  const lines = [
    `train ids: ${report.train_ids}  held-out ids: ${report.test_ids}${report.skipped_ids ? `  (no pick for ${report.skipped_ids})` : ''}`,
    '',
    `${'policy'.padEnd(16)} ${'calls'.padStart(5)} ${'mean score'.padStart(10)} ${'total USD'.padStart(11)}  share of calls`,
  ];
  for (const r of report.results) {
    const share = Object.entries(r.share)
      .sort((a, b) => b[1] - a[1])
      .map(([m, s]) => `${m} ${(s * 100).toFixed(0)}%`)
      .join(', ');
    lines.push(
      `${r.policy.padEnd(16)} ${String(r.calls).padStart(5)} ${r.mean_score.toFixed(2).padStart(10)} ${r.total_usd.toFixed(6).padStart(11)}  ${share}`,
    );
  }
  return lines.join('\n');
}
