// The task library as the screens read it (tasks:library): what each task does, whether it takes the writer's own
// words, and whether several models can answer it side by side. It ships with the app, so it is loaded once.
import type { QuireApi } from '../../../../src-preload/api';
import type { TaskInfo } from '$contract/tasks';
import { api as defaultApi, Client } from '../api/client';
import { resource } from '../resource.svelte';

export class TaskLibraryManager {
  readonly #client: Client;
  readonly #library = resource(() => this.#client.call('tasks:library'), { tasks: [] as TaskInfo[] });

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  load(): Promise<boolean> {
    return this.#library.loaded ? Promise.resolve(true) : this.#library.load();
  }

  /** The task's entry; null for an unknown task or before the library has loaded. */
  info(id: string): TaskInfo | null {
    return this.#library.value.tasks.find((task) => task.id === id) ?? null;
  }

  /**
   * Whether the task can run as a tournament: not one that answers with which check to run (Ask Quire), which
   * members cannot agree on. Before the library has loaded it counts as yes (the host refuses it either way).
   */
  competes(id: string): boolean {
    return this.info(id)?.answer !== 'route';
  }
}

export const taskLibraryManager = new TaskLibraryManager();
