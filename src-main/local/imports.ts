// Imports by path in flight, by the id the caller chose: each pushes how far it has got (`import:progress`) and can be
// stopped, as an upload or a download can. A model of several GB takes minutes to copy, hash and test-load.
import { basename } from 'node:path';
import { CancelledError, ConflictError } from '../errors';
import type { EventBus } from '../infra/event-bus';
import type { InstalledModel } from '../../src-preload/contract';
import type { ImportStage, ModelLibrary } from './library';

export interface ImportRequest {
  path: string;
  name?: string;
  import_id?: string;
}

export class ModelImports {
  private readonly running = new Map<string, { controller: AbortController; label: string; done: Promise<unknown> }>();

  constructor(
    private readonly library: Pick<ModelLibrary, 'importFile'>,
    private readonly events: Pick<EventBus, 'emit'>,
  ) {}

  async start({ path, name, import_id: id }: ImportRequest): Promise<InstalledModel> {
    if (id === undefined) return this.library.importFile(path, name);
    if (this.running.has(id)) throw new ConflictError('An import with this id is already running.', false);
    const controller = new AbortController();
    const work = this.library.importFile(path, name, {
      signal: controller.signal,
      progress: this.reporter(id),
    });
    this.running.set(id, { controller, label: basename(path), done: work.catch(() => undefined) });
    try {
      return await work;
    } finally {
      this.running.delete(id);
    }
  }

  /** Stops the import `id`: it then fails as cancelled, its partial copy removed. */
  stop(id: string): { stopping: boolean } {
    const import_ = this.running.get(id);
    if (!import_) return { stopping: false };
    import_.controller.abort(
      new CancelledError(`You stopped the import of ${import_.label}: nothing was added to your models folder.`),
    );
    return { stopping: true };
  }

  /** At shutdown: every import stops, and its partial copy is removed before this resolves. */
  async close(): Promise<void> {
    const running = [...this.running.values()];
    for (const { controller, label } of running)
      controller.abort(
        new CancelledError(`Quire closed while it imported ${label}; nothing was added. Import it again.`),
      );
    await Promise.all(running.map(({ done }) => done));
  }

  /**
   * Progress as events: each step once, and the copy at each whole percent (a 5 GB copy would otherwise push one event
   * per 64 KB chunk).
   */
  private reporter(id: string): (stage: ImportStage, copied: number, total: number) => void {
    let last: { stage: ImportStage; percent: number } | undefined;
    return (stage, copied, total) => {
      const percent = total > 0 ? Math.floor((copied * 100) / total) : 100;
      if (last?.stage === stage && last.percent === percent) return;
      last = { stage, percent };
      // A file that grew while it was read: never "110 %".
      this.events.emit('import:progress', { import_id: id, stage, copied, total: Math.max(total, copied) });
    };
  }
}
