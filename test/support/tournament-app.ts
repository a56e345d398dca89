// The real app (createApp, the one composition root) set up for tournament and run tests and the benchmark: the given
// registry replaces the shipped one; the built-in cloud providers have a key and point at the loopback fake LLM server
// (cloud models are scripted there by id); local models run on node-llama-cpp from the given files; the orchestrator
// is on at the premium tier with tournaments enabled.
import type { Llama } from 'node-llama-cpp';
import type { ModelSpec, PushedEvent, SettingsPatch } from '../../src-preload/contract';
import { createApp, type App, type AppOptions } from '../../src-main/app/create-app';
import { shippedTaskLibrary } from '../../src-main/tasks/shipped-library';
import type { TaskLibrary } from '../../src-main/tasks/task-library';
import { silentLogger } from '../../src-main/infra/logger';
import type { Db } from '../../src-main/store/database';
import type { FeedbackService } from '../../src-main/routing/feedback-service';
import type { TaskTable } from '../../src-main/orchestrator/tasks';
import type { LanguageModel } from '../../src-main/providers/spec';
import type { RunService } from '../../src-main/runs/run-service';
import type { TournamentService } from '../../src-main/tournament/tournament-service';
import { model } from './decision-fixtures';
import type { FakeLlmServer } from './fake-llm-server';

const STRENGTHS: ModelSpec['strengths'] = [
  'narrative_continuity',
  'character_psychology',
  'creative_generation',
  'semantic_reasoning',
];

export function cloudSpec(
  id: string,
  provider: ModelSpec['provider'],
  quality: number,
  outputUsdPerMtok = 4,
): ModelSpec {
  return model(id, { provider, quality, strengths: STRENGTHS, price: [1, outputUsdPerMtok] });
}

export function localSpec(id: string, catalogId: string, quality = 7): ModelSpec {
  return model(id, {
    provider: 'local',
    quality,
    strengths: STRENGTHS,
    context_window: 4096,
    local: { catalog_id: catalogId, size_class: 'small' },
  });
}

export interface TournamentAppOptions {
  dataDir: string;
  fake: FakeLlmServer;
  registry: ModelSpec[];
  /** Settings over the defaults above. */
  settings?: SettingsPatch;
  /** Local models: the llama they run on and the installed file of each catalog id (path, or path and size). */
  local?: { llama: Llama; files: Record<string, string | { path: string; bytes: number }> };
  claimSimilarity?: NonNullable<AppOptions['tournament']>['claimSimilarity'];
  /** Execution options over the defaults below (a deadline timer, a floor, a longer first-token timeout…). */
  execution?: AppOptions['execution'];
  /** Task definitions in place of resources/tasks/ (see briefTaskLibrary). */
  taskLibrary?: AppOptions['taskLibrary'];
  /** The gateway's session options (port 0: a free port). */
  gateway?: AppOptions['gateway'];
}

export interface TournamentApp {
  app: App;
  service: TournamentService;
  /** The RunService every member call goes through. */
  runs: RunService;
  db: Db;
  feedback: FeedbackService;
  tasks: TaskTable;
  events: PushedEvent[];
  /** The member model as the app builds it. */
  languageModel(spec: ModelSpec, timeoutMs: number): LanguageModel;
  close(): Promise<void>;
}

/** A key of each provider's shape (the key store refuses a key that does not look like the provider's). */
const TEST_KEY: Record<string, string> = { anthropic: 'sk-ant-test-not-real', openai: 'sk-test-not-real' };

export async function tournamentApp(options: TournamentAppOptions): Promise<TournamentApp> {
  const clouds = [...new Set(options.registry.map((spec) => spec.provider).filter((p) => p !== 'local'))];
  const files = options.local?.files ?? {};
  const app = await createApp({
    dataDir: options.dataDir,
    logger: silentLogger,
    env: {},
    models: options.registry,
    execution: { maxRetries: 0, maxRetryAfterS: 1, ...options.execution },
    local: {
      ...(options.local ? { runtime: { createLlama: () => Promise.resolve(options.local!.llama) } } : {}),
      installed: {
        installedFile: (id) => {
          const file = files[id];
          return typeof file === 'string' ? { path: file, bytes: 1 } : file;
        },
      },
    },
    ...(options.claimSimilarity ? { tournament: { claimSimilarity: options.claimSimilarity } } : {}),
    ...(options.taskLibrary ? { taskLibrary: options.taskLibrary } : {}),
    ...(options.gateway ? { gateway: options.gateway } : {}),
  });
  const { services } = app;
  for (const provider of clouds) {
    const base_url = provider === 'anthropic' ? options.fake.anthropicBaseUrl : options.fake.openaiBaseUrl;
    services.providers.save({ id: provider, base_url, builtin: true });
    services.keys.set(provider, TEST_KEY[provider] ?? 'sk-test-not-real', true);
  }
  services.settings.set({
    orchestrator: { enabled: true, quality_tier: 'premium' },
    tournament: { enabled: true },
    local: { threads: 2 },
  });
  if (options.settings) services.settings.set(options.settings);
  const events: PushedEvent[] = [];
  app.events.subscribe((event) => events.push(event));
  return {
    app,
    service: services.tournaments,
    runs: services.runs,
    db: services.db,
    feedback: services.feedback,
    tasks: services.orchestrator.tasks,
    events,
    languageModel: (spec, timeoutMs) => services.providers.model(spec, timeoutMs),
    close: () => app.close(),
  };
}

/**
 * The shipped library with one-line instructions: for tests whose tiny local fixture (a byte-level vocabulary, so
 * about one token per character) must fit the instruction, the passage and a long grammar-bound answer in its
 * context. Same tasks, forms and framing; only the instruction's length differs.
 */
export function briefTaskLibrary(): TaskLibrary {
  return new Map(
    [...shippedTaskLibrary()].map(([id, d]) => [id, { ...d, instruction: [`Do the ${id.replace(/_/g, ' ')} task.`] }]),
  );
}
