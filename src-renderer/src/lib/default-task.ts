// The task the Workbench opens on: a writer's task, never one of Quire's internal routing tasks.
import type { TaskSpec } from '$contract';

/** Tasks Quire runs for itself (routing, health checks): listed, but never where a writer starts. */
export const INTERNAL_TASKS: ReadonlySet<string> = new Set(['coordinator', 'health_check_review']);

/** The first thing most writers ask for. */
export const DEFAULT_TASK = 'line_edit';

export function defaultTask(tasks: readonly Pick<TaskSpec, 'id'>[]): string | null {
  return (
    tasks.find((task) => task.id === DEFAULT_TASK)?.id ??
    tasks.find((task) => !INTERNAL_TASKS.has(task.id))?.id ??
    tasks[0]?.id ??
    null
  );
}
