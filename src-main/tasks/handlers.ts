import type { HandlerMap } from '../transport/dispatcher';
import { taskInfo, type TaskLibrary } from './task-library';

export function tasksHandlers({ library }: { library: TaskLibrary }): Pick<HandlerMap, 'tasks:library'> {
  return { 'tasks:library': () => ({ tasks: [...library.values()].map(taskInfo) }) };
}
