import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '../src-preload/contract';
import type { GenerateRequest } from '../src-main/providers/spec';
import { startFakeLlmServer } from '../test/support/fake-llm-server';
import { answerJsonSchema } from '../src-main/tasks/answers';
import { memberMessages } from '../src-main/tournament/prompts';
import { cloudSpec, tournamentApp } from '../test/support/tournament-app';
import { percentile } from './stats';

/**
 * Members answer after these delays (the fake provider's latency before the first token), then stream over the real
 * SDKs and loopback HTTP.
 */
const LATENCY_MS: Record<string, number> = { 'gpt-a': 120, 'claude-b': 200, 'deepseek-c': 320 };
const ROUNDS = 7;

/**
 * Tournament wall time ÷ the slowest member alone (target ≤ 1.1: members run in parallel and the bookkeeping —
 * selection, group reservation, matching, scoring, SQLite — is small), and the same members one after another.
 */
export async function benchTournament(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-tournament-'));
  const fake = await startFakeLlmServer();
  const registry: ModelSpec[] = [
    cloudSpec('gpt-a', 'openai', 9),
    cloudSpec('claude-b', 'anthropic', 8.8),
    cloudSpec('deepseek-c', 'deepseek', 8.5),
  ];
  const h = await tournamentApp({ dataDir: dir, fake, registry });
  const finding = (claim: string) => ({
    claim,
    evidence: [{ quote: 'her blue eyes flashed', location: null }],
    severity: 'high',
    suggestion: null,
  });
  for (const spec of registry) {
    fake.script(spec.id, {
      json: { findings: [finding(`Mara's eye colour changes (${spec.id})`), finding('Eye colour differs')] },
      latencyMs: LATENCY_MS[spec.id] ?? 0,
    });
  }
  const input = 'Chapter 3. Her green eyes.\n\nChapter 12. She turned, her blue eyes flashed.\n\n'.repeat(20);
  const task = h.tasks.get('continuity_check')!;
  const request: GenerateRequest = {
    messages: memberMessages('findings', task, input),
    maxOutputTokens: 1000,
    temperature: 0,
    jsonSchema: answerJsonSchema('findings', [])!,
  };
  const alone = async (spec: ModelSpec) => {
    const model = h.languageModel(spec, 60_000);
    const start = performance.now();
    for await (const part of model.stream(request)) void part;
    return performance.now() - start;
  };
  try {
    await h.service.start({ task: 'continuity_check', input }); // warm-up: SDK clients, prepared statements
    const slowest = registry.at(-1)!;
    const tournament: number[] = [];
    const slowAlone: number[] = [];
    const sequential: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      const t = await h.service.start({ task: 'continuity_check', input });
      tournament.push(performance.now() - t0);
      if (t.status !== 'done' || t.members.length !== 3) throw new Error(`unexpected tournament: ${t.status}`);
      slowAlone.push(await alone(slowest));
      let sum = 0;
      for (const spec of registry) sum += await alone(spec);
      sequential.push(sum);
    }
    const p50 = (xs: number[]) => percentile(xs, 50);
    console.log(`members: ${registry.map((s) => `${s.id} (+${LATENCY_MS[s.id]} ms)`).join(', ')}; ${ROUNDS} rounds`);
    console.log(`tournament wall time p50: ${p50(tournament).toFixed(1)} ms`);
    console.log(`slowest member alone p50: ${p50(slowAlone).toFixed(1)} ms`);
    console.log(`members one after another p50: ${p50(sequential).toFixed(1)} ms`);
    console.log(`ratio tournament / slowest alone: ${(p50(tournament) / p50(slowAlone)).toFixed(3)} (target ≤ 1.1)`);
    console.log(`ratio sequential / tournament: ${(p50(sequential) / p50(tournament)).toFixed(2)}x`);
  } finally {
    await h.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
