// The shipped routing data, bundled into main at build time and validated when the app starts.
import modelsJson from '../../resources/models.json' with { type: 'json' };
import packsJson from '../../resources/packs.json' with { type: 'json' };
import tasksJson from '../../resources/tasks.json' with { type: 'json' };
import type { ModelSpec, Pack } from '../../src-preload/contract';
import { parsePacks } from '../orchestrator/packs';
import { parseRegistry } from '../orchestrator/registry';
import { parseTasks, type TaskTable } from '../orchestrator/tasks';

export function shippedModels(): ModelSpec[] {
  return parseRegistry(modelsJson);
}

export function shippedTasks(): TaskTable {
  return parseTasks(tasksJson);
}

export function shippedPacks(): Pack[] {
  return parsePacks(packsJson);
}
