// Builds the routing services (registry, feedback, packs, orchestrator) over one database, for the app and the CLI.
import type { ModelSpec } from '../../src-preload/contract';
import type { Db } from '../store/database';
import { CustomModelsRepo } from '../store/repos/custom-models-repo';
import { FeedbackRepo } from '../store/repos/feedback-repo';
import { PacksRepo } from '../store/repos/packs-repo';
import type { SettingsService } from '../settings/settings-service';
import type { AvailabilitySource, SpendSource } from '../orchestrator/sources';
import { FeedbackService } from './feedback-service';
import { OrchestratorService } from './orchestrator-service';
import { PacksService } from './packs-service';
import { RegistryService } from './registry-service';
import { shippedModels, shippedPacks, shippedTasks } from './resources';
import type { ReasoningEffort } from '../../src-preload/contract/tasks';
import { shippedTaskLibrary } from '../tasks/shipped-library';
import type { TaskLibrary } from '../tasks/task-library';

export interface RoutingServices {
  registry: RegistryService;
  feedback: FeedbackService;
  packs: PacksService;
  orchestrator: OrchestratorService;
}

export function createRouting(options: {
  db: Db;
  settings: SettingsService;
  now: () => Date;
  availability: AvailabilitySource;
  spend: SpendSource;
  /** The shipped models the registry starts from; default resources/models.json. */
  models?: ModelSpec[];
  /** The task library whose reasoning efforts plans count thinking at; default resources/tasks/. */
  library?: TaskLibrary;
}): RoutingServices {
  const { db, settings, now } = options;
  const tasks = shippedTasks();
  const registry = new RegistryService(options.models ?? shippedModels(), new CustomModelsRepo(db, now));
  const feedback = new FeedbackService(new FeedbackRepo(db, now));
  const packs = new PacksService(shippedPacks(), new PacksRepo(db, now), registry, tasks, settings);
  const orchestrator = new OrchestratorService({
    registry,
    tasks,
    settings,
    availability: options.availability,
    spend: options.spend,
    feedback,
    packs,
    now,
    efforts: reasoningEfforts(options.library ?? shippedTaskLibrary()),
  });
  return { registry, feedback, packs, orchestrator };
}

/** Each task's reasoning effort, from its definition. */
function reasoningEfforts(library: TaskLibrary): ReadonlyMap<string, ReasoningEffort> {
  return new Map([...library.values()].map((definition) => [definition.id, definition.reasoning_effort]));
}
