// A TournamentService on real parts for tests and the benchmark: SQLite file with every migration, B's ledger and SDK
// adapters pointed at the loopback fake LLM server, A's pure decide and pricing, A's feedback service. Cloud models
// are scripted in the fake server by id; local ones go to the given LocalModelProvider.
import { join } from 'node:path';
import { DEFAULT_SETTINGS, type ModelSpec, type PushedEvent, type Settings } from '../../src-preload/contract';
import { EventBus } from '../app/event-bus';
import { silentLogger } from '../app/logger';
import { Ledger } from '../ledger/ledger';
import { decide } from '../orchestrator/decide';
import { worstCaseUsd } from '../orchestrator/pricing';
import type { TaskTable } from '../orchestrator/tasks';
import { AnthropicModel } from '../providers/anthropic';
import type { LocalModelProvider } from '../providers/local-models';
import type { LanguageModel } from '../providers/spec';
import { OpenAiCompatibleModel } from '../providers/openai-compatible';
import { ProviderResilience } from '../providers/resilience';
import { FeedbackService } from '../routing/feedback-service';
import { shippedTasks } from '../routing/resources';
import { RunService } from '../runs/run-service';
import { openDatabase, type Db } from '../store/database';
import { FeedbackRepo } from '../store/repos/feedback-repo';
import { RunsRepo } from '../store/repos/runs-repo';
import { TournamentRepo } from '../store/repos/tournament-repo';
import type { FakeLlmServer } from '../test-support/fake-llm-server';
import { tournamentLedger } from './tournament-ledger';
import type { TournamentDeps } from './tournament-deps';
import { TournamentService } from './tournament-service';

export function cloudSpec(
  id: string,
  provider: ModelSpec['provider'],
  quality: number,
  outputUsdPerMtok = 4,
): ModelSpec {
  return {
    id,
    display_name: id,
    provider,
    quality,
    strengths: ['narrative_continuity', 'character_psychology', 'creative_generation', 'semantic_reasoning'],
    speed: 'fast',
    context_window: 128_000,
    pricing: { input_usd_per_mtok: 1, output_usd_per_mtok: outputUsdPerMtok },
    capabilities: { json_output: true, vision: false, streaming: true },
  };
}

export function localSpec(id: string, catalogId: string, quality = 7): ModelSpec {
  return {
    ...cloudSpec(id, 'local', quality, 0),
    pricing: { input_usd_per_mtok: 0, output_usd_per_mtok: 0 },
    context_window: 4096,
    local: { catalog_id: catalogId, size_class: 'small' },
  };
}

export interface HarnessOptions {
  dataDir: string;
  fake: FakeLlmServer;
  registry: ModelSpec[];
  local?: LocalModelProvider;
  settings?: (settings: Settings) => void;
  claimSimilarity?: TournamentDeps['claimSimilarity'];
  /** Wraps every member's model (the benchmark adds latency). */
  wrapModel?: (spec: ModelSpec, model: LanguageModel) => LanguageModel;
}

export interface Harness {
  service: TournamentService;
  /** The RunService every member call goes through. */
  runs: RunService;
  db: Db;
  ledger: Ledger;
  feedback: FeedbackService;
  settings: Settings;
  events: PushedEvent[];
  tasks: TaskTable;
  /** The member model as the service builds it, without the wrapper. */
  languageModel(spec: ModelSpec, timeoutMs: number): LanguageModel;
  close(): void;
}

export function tournamentHarness(options: HarnessOptions): Harness {
  const now = () => new Date();
  const db = openDatabase(join(options.dataDir, 'quire.sqlite'));
  const settings: Settings = structuredClone(DEFAULT_SETTINGS);
  settings.orchestrator.enabled = true;
  settings.orchestrator.quality_tier = 'premium';
  settings.tournament.enabled = true;
  options.settings?.(settings);
  const tasks = shippedTasks();
  const ledger = new Ledger({ db, now, budgetUsd: () => settings.orchestrator.monthly_budget });
  const feedback = new FeedbackService(new FeedbackRepo(db, now));
  const bus = new EventBus();
  const events: PushedEvent[] = [];
  bus.subscribe((event) => events.push(event));
  const availability = {
    cloudReady: () => true,
    localInstalled: (catalogId: string) => options.local?.isInstalled(catalogId) ?? false,
  };
  const byId = new Map(options.registry.map((spec) => [spec.id, spec]));
  const buildModel = (spec: ModelSpec, timeoutMs: number): LanguageModel => {
    if (spec.provider === 'local') return options.local!.languageModel(spec);
    const client = {
      provider: spec.provider,
      modelId: spec.id,
      apiModelId: spec.id,
      apiKey: 'test-key',
      maxRetries: 0,
      timeoutMs,
      maxRetryAfterS: 1,
    };
    return spec.provider === 'anthropic'
      ? new AnthropicModel({ ...client, baseURL: options.fake.anthropicBaseUrl })
      : new OpenAiCompatibleModel({ ...client, baseURL: options.fake.openaiBaseUrl });
  };
  const decideNow = (request: Parameters<typeof decide>[0]) =>
    decide(request, {
      registry: options.registry,
      tasks,
      settings: settings.orchestrator,
      availability,
      spend: ledger.snapshot(now()),
      quality: feedback.quality(),
    });
  const runs = new RunService({
    decide: decideNow,
    model: (id) => byId.get(id),
    allModels: () => options.registry,
    providers: {
      model: (spec, timeoutMs) => {
        const model = buildModel(spec, timeoutMs);
        return options.wrapModel ? options.wrapModel(spec, model) : model;
      },
      providerOf: (spec) => spec.provider,
    },
    resilience: new ProviderResilience({ now }),
    ledger,
    repo: new RunsRepo(db),
    recordFeedback: (f) => feedback.record(f),
    settings: { get: () => settings },
    events: bus,
    logger: silentLogger,
    redact: (text) => text,
    now,
  });
  const service = new TournamentService({
    decide: decideNow,
    tasks,
    model: (id) => byId.get(id),
    calls: runs,
    ledger: tournamentLedger(db, ledger),
    feedback,
    settings: () => settings,
    repo: new TournamentRepo(db),
    events: bus,
    worstCase: (spec, input, output) => worstCaseUsd(spec, input, output),
    now,
    clock: () => performance.now(),
    ...(options.claimSimilarity ? { claimSimilarity: options.claimSimilarity } : {}),
    newId: (() => {
      let n = 0;
      return () => `t${++n}`;
    })(),
  });
  return {
    service,
    runs,
    db,
    ledger,
    feedback,
    settings,
    events,
    tasks,
    languageModel: buildModel,
    close: () => db.close(),
  };
}
