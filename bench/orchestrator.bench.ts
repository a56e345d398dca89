import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, QUALITY_TIERS, STRENGTHS, type ModelSpec } from '../src-preload/contract';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/infra/logger';
import { decide, type DecisionInputs } from '../src-main/orchestrator/decide';
import { worstCaseUsd } from '../src-main/orchestrator/pricing';
import { zeroSpend } from '../src-main/orchestrator/sources';
import { shippedModels, shippedTasks } from '../src-main/routing/resources';
import { percentile, summary, timeEach } from './stats';

/** The shipped registry padded with synthetic models to `size`. */
function syntheticRegistry(size: number): ModelSpec[] {
  const models = shippedModels();
  const providers = ['openai', 'anthropic', 'deepseek', 'gemini', 'openai-compatible', 'local'] as const;
  for (let i = 0; models.length < size; i++) {
    const provider = providers[i % providers.length]!;
    const local = provider === 'local';
    models.push({
      id: `synthetic-${i}`,
      display_name: `Synthetic ${i}`,
      provider,
      ...(provider === 'openai-compatible' ? { endpoint_id: 'bench' } : {}),
      quality: 5 + ((i * 37) % 50) / 10,
      strengths: STRENGTHS.filter((_, s) => (i + s) % 3 !== 0),
      speed: 'fast',
      context_window: 128_000,
      pricing: { input_usd_per_mtok: local ? 0 : 0.1 + (i % 7), output_usd_per_mtok: local ? 0 : 0.4 + (i % 11) },
      capabilities: { json_output: true, vision: false, streaming: true },
      ...(local
        ? { local: { catalog_id: `synthetic-${i}-gguf`, size_class: (['small', 'medium', 'large'] as const)[i % 3]! } }
        : {}),
    });
  }
  return models;
}

/** Decision latency over 10,000 decisions with a 50-model registry: the pure function and the service around it. */
export async function benchOrchestrator(): Promise<void> {
  const registry = syntheticRegistry(50);
  const tasks = shippedTasks();
  const taskIds = [...tasks.keys()];
  const requests = Array.from({ length: 10_000 }, (_, i) => ({
    task: taskIds[i % taskIds.length]!,
    tier: QUALITY_TIERS[i % 3]!,
    ...(i % 5 === 0 ? { local_only: true } : {}),
    ...(i % 7 === 0 ? { complexity: (i % 10) + 1 } : {}),
  }));
  const installed = new Set(registry.filter((m, i) => m.local && i % 2 === 0).map((m) => m.local!.catalog_id));
  const priceCache = new Map<ModelSpec, Map<number, number>>();
  const cachedPrice = (spec: ModelSpec, input: number, output: number) => {
    let bySize = priceCache.get(spec);
    if (!bySize) priceCache.set(spec, (bySize = new Map()));
    const key = input * 2 ** 26 + output;
    let cost = bySize.get(key);
    if (cost === undefined) bySize.set(key, (cost = worstCaseUsd(spec, input, output)));
    return cost;
  };
  const inputs: DecisionInputs = {
    registry,
    tasks,
    settings: { ...DEFAULT_SETTINGS.orchestrator, enabled: true, monthly_budget: 5 },
    availability: { cloudReady: (s) => s.provider !== 'gemini', localInstalled: (c) => installed.has(c) },
    spend: { month: '2026-11', spent_usd: 1.5, reserved_usd: 0.1 },
    price: cachedPrice,
    // As the orchestrator service passes its hourly price function: a task's costs are kept between decisions.
    pricesStable: true,
  };
  console.log(`registry: ${registry.length} models, ${tasks.size} tasks`);

  await timeEach(1000, (i) => decide(requests[i]!, inputs));
  const pure = await timeEach(10_000, (i) => decide(requests[i]!, inputs));
  console.log(summary('decide (pure, prices cached)', pure));

  const uncached = await timeEach(2000, (i) =>
    decide(requests[i]!, { ...inputs, price: worstCaseUsd, pricesStable: false }),
  );
  console.log(summary('decide (pure, genai-prices on every model)', uncached));

  // Linear in the registry's size: the same decisions over 5,000 models, interleaved with the 50-model ones so load
  // on the machine hits both alike. Linear work would cost about 100x. The sizes between show where the time per
  // model changes: flat means linear work, a step means the registry's data no longer fits the processor's caches.
  const sizes = [500, 2500, 5000];
  const larger = sizes.map((size): DecisionInputs => {
    const models = syntheticRegistry(size);
    const installed = new Set(models.filter((m, i) => m.local && i % 2 === 0).map((m) => m.local!.catalog_id));
    return {
      ...inputs,
      registry: models,
      availability: { ...inputs.availability, localInstalled: (c) => installed.has(c) },
    };
  });
  for (const [k, large] of larger.entries()) await timeEach(200_000 / sizes[k]!, (i) => decide(requests[i]!, large));
  const small: number[] = [];
  const samples = sizes.map((): number[] => []);
  for (let round = 0; round < 10; round++) {
    small.push(...(await timeEach(2000, (i) => decide(requests[(round * 2000 + i) % requests.length]!, inputs))));
    for (const [k, large] of larger.entries()) {
      const count = 200_000 / sizes[k]!;
      samples[k]!.push(
        ...(await timeEach(count, (i) => decide(requests[(round * count + i) % requests.length]!, large))),
      );
    }
  }
  const big = samples[sizes.length - 1]!;
  console.log(summary('decide over 5,000 models (pure, prices cached)', big));
  console.log(
    `registry 5,000 / 50 models: p50 ${(percentile(big, 50) / percentile(small, 50)).toFixed(0)}x ` +
      `(50: ${percentile(small, 50).toFixed(4)} ms, 5,000: ${percentile(big, 50).toFixed(3)} ms; linear would be 100x)`,
  );
  const perModel = (samples: number[], size: number) => `${((percentile(samples, 50) * 1000) / size).toFixed(3)} µs`;
  console.log(
    `  p50 per model: 50 → ${perModel(small, 50)}, ` +
      sizes.map((size, k) => `${size.toLocaleString('en')} → ${perModel(samples[k]!, size)}`).join(', '),
  );

  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-'));
  const app = await createApp({ dataDir: dir, logger: silentLogger, availability: inputs.availability });
  try {
    app.services.registry.upsertCustomModels(
      'endpoint:bench',
      registry.filter((m) => m.id.startsWith('synthetic-')),
    );
    app.services.settings.set({ orchestrator: { enabled: true, monthly_budget: 5 } });
    const service = app.services.orchestrator;
    // As wired in create-app: this month's spend read from the ledger on every decision.
    await timeEach(1000, (i) => service.decide(requests[i]!));
    const withLedger = await timeEach(10_000, (i) => service.decide(requests[i]!));
    console.log(summary('OrchestratorService.decide (spend from the ledger)', withLedger));
    service.useSpend(zeroSpend);
    await timeEach(1000, (i) => service.decide(requests[i]!));
    const withoutLedger = await timeEach(10_000, (i) => service.decide(requests[i]!));
    console.log(summary('OrchestratorService.decide (spend source returning zeros)', withoutLedger));
    console.log(
      `ratio service/pure p99: ${(percentile(withoutLedger, 99) / percentile(pure, 99)).toFixed(2)}x; ` +
        `ledger read adds p50 ${(percentile(withLedger, 50) - percentile(withoutLedger, 50)).toFixed(4)} ms; ` +
        `uncached/cached prices p50: ${(percentile(uncached, 50) / percentile(pure, 50)).toFixed(1)}x`,
    );
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
