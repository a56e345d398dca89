// Bringing one kind of file into Quire (a .gguf model, or a manuscript): in the desktop app the system file picker
// chooses a path that the usual channel opens; in the browser host the file is uploaded, with progress, after the
// host said it can take a file of that size. One manager per drop zone.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo, PickKind, UploadKind, UploadOutputs } from '$contract';
import type { ImportProgress } from '$contract/models';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { uploadFile, type Uploader } from '../api/upload';
import { importStepText } from '../import-step';

export interface Intake<K extends UploadKind> {
  kind: K;
  /** What the host does with the file once it has it, as the status says it: "Checking" a model, "Opening" a book. */
  doing: string;
  /** Opens a path the system file picker chose, through the channel a typed path uses, as `id`. */
  open: (client: Client, path: string, id: string) => Promise<UploadOutputs[K]>;
  /**
   * Whether an upload can be stopped once its bytes are in, while the host checks it (a model's test load takes up to
   * 20 s; a manuscript opens in a moment): the host stops when the request goes away.
   */
  stopsChecks?: boolean;
  /** An open the host reports on and can stop (a model's copy, check and test load take minutes for a large one). */
  follow?: {
    progress: (client: Client, id: string, onprogress: (progress: ImportProgress) => void) => () => void;
    stop: (client: Client, id: string) => Promise<unknown>;
  };
}

export const MODEL_INTAKE: Intake<'model'> = {
  kind: 'model',
  doing: 'Checking',
  stopsChecks: true,
  open: (client, path, id) => client.call('models:import', { path, import_id: id }),
  follow: {
    progress: (client, id, onprogress) =>
      client.subscribe({
        'import:progress': (progress) => {
          if (progress.import_id === id) onprogress(progress);
        },
      }),
    stop: (client, id) => client.call('models:import_stop', { import_id: id }),
  },
};

export const MANUSCRIPT_INTAKE: Intake<'manuscript'> = {
  kind: 'manuscript',
  doing: 'Opening',
  open: (client, path) => client.call('manuscripts:open', { path }),
};

export class FileIntakeManager<K extends UploadKind> {
  readonly #client: Client;
  readonly #api: QuireApi;
  #busy = $state<string | null>(null);
  #sent = $state(0);
  #total = $state(0);
  #error = $state.raw<ErrorInfo | null>(null);
  #result = $state.raw<UploadOutputs[K] | null>(null);
  #controller: AbortController | null = null;
  /** An upload's request is open (its bytes on their way, or the host at work on them). */
  #sending = $state(false);
  /** The id of a picked file's open that the host reports on (Intake.follow), while it runs. */
  #followed = $state<string | null>(null);
  #stage = $state<ImportProgress['stage'] | null>(null);

  constructor(
    private readonly intake: Intake<K>,
    api: QuireApi = defaultApi,
    private readonly send: Uploader = uploadFile,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {
    this.#api = api;
    this.#client = new Client(api);
  }

  /** The desktop app has the system file picker; the browser host takes uploads. */
  get canPick(): boolean {
    return this.#api.transport === 'ipc';
  }
  /** The name of the file being brought in, or null. */
  readonly busy = $derived<string | null>(this.#busy);
  /** 0..1 while uploading. */
  readonly progress = $derived<number>(this.#total > 0 ? this.#sent / this.#total : 0);
  /** What a bar shows: the bytes' share while they are sent or copied; null (under way) while the host checks. */
  readonly fraction = $derived<number | null>(
    this.#followed !== null && (this.#stage !== 'copying' || this.#total === 0) ? null : this.progress,
  );
  readonly sent = $derived<number>(this.#sent);
  readonly total = $derived<number>(this.#total);
  /** Bytes are still being sent (Stop can end it); false once every byte is in and the host is at work on the file. */
  readonly uploading = $derived<boolean>(
    this.#busy !== null && this.#followed === null && this.#total > 0 && this.#sent < this.#total,
  );
  /** A picked file the host is copying, checking or test-loading, step by step; Stop ends it. */
  readonly following = $derived<boolean>(this.#followed !== null);
  /** Whether Stop can end what is under way: an upload's bytes, a model's checks after them, a picked file's import. */
  get stoppable(): boolean {
    return this.uploading || this.following || (this.#sending && this.intake.stopsChecks === true);
  }
  /**
   * What is happening, in the writer's words: "Uploading Story Helper.gguf" while the bytes go (the progress bar
   * beside it says how many), then "Checking Story Helper.gguf…" while the host checks and test-loads it (up to 20 s
   * for a real model), or "Opening …" a manuscript; null when nothing is being brought in.
   */
  get status(): string | null {
    if (this.#busy === null) return null;
    if (this.#followed !== null) return importStepText(this.#stage ?? 'copying', this.#busy);
    return this.uploading ? `Uploading ${this.#busy}` : `${this.intake.doing} ${this.#busy}…`;
  }
  readonly error = $derived<ErrorInfo | null>(this.#error);
  /** The last file brought in. */
  readonly result = $derived<UploadOutputs[K] | null>(this.#result);

  /** Uploads a file dropped or chosen in the page. */
  async upload(file: Blob & { name: string }): Promise<UploadOutputs[K] | null> {
    return this.#run(file.name, async () => {
      await this.#client.call('app:upload_check', { kind: this.intake.kind, bytes: file.size });
      this.#controller = new AbortController();
      this.#total = file.size;
      this.#sending = true;
      let reply: Awaited<ReturnType<Uploader>>;
      try {
        reply = await this.send({
          kind: this.intake.kind,
          file,
          signal: this.#controller.signal,
          onprogress: (sent, total) => {
            this.#sent = sent;
            this.#total = total;
          },
        });
      } finally {
        this.#sending = false;
      }
      if (!reply.ok && reply.error.code === 'cancelled' && this.#total > 0 && this.#sent >= this.#total)
        throw {
          ...reply.error,
          message: `You stopped ${file.name} while Quire checked it: nothing was added to your models.`,
        };
      if (!reply.ok) throw reply.error;
      return reply.value as UploadOutputs[K];
    });
  }

  /** The desktop app: asks the system file picker, then opens the chosen path. */
  async pick(kind: PickKind): Promise<UploadOutputs[K] | null> {
    const { path } = await this.#client.call('app:pick_file', { kind }).catch((error: unknown) => {
      this.#error = toErrorInfo(error);
      return { path: null };
    });
    if (path === null) return null;
    const name = path.split(/[\\/]/).pop() ?? path;
    const follow = this.intake.follow;
    if (!follow) return this.#run(name, () => this.intake.open(this.#client, path, this.newId()));
    const id = this.newId();
    return this.#run(name, async () => {
      this.#followed = id;
      this.#stage = 'copying';
      const stopFollowing = follow.progress(this.#client, id, ({ stage, copied, total }) => {
        this.#stage = stage;
        this.#sent = copied;
        this.#total = total;
      });
      try {
        return await this.intake.open(this.#client, path, id);
      } finally {
        stopFollowing();
        this.#followed = null;
        this.#stage = null;
      }
    });
  }

  /** Stops an upload in flight (the host removes what had arrived), or a picked file's copy, check or test load. */
  cancel(): void {
    this.#controller?.abort();
    const id = this.#followed;
    if (id !== null && this.intake.follow)
      this.intake.follow.stop(this.#client, id).catch((error: unknown) => (this.#error = toErrorInfo(error)));
  }

  clearError(): void {
    this.#error = null;
  }

  async #run(name: string, work: () => Promise<UploadOutputs[K]>): Promise<UploadOutputs[K] | null> {
    this.#busy = name;
    this.#error = null;
    this.#sent = 0;
    this.#total = 0;
    try {
      const value = await work();
      this.#result = value;
      return value;
    } catch (error) {
      this.#error = isErrorInfo(error) ? error : toErrorInfo(error);
      return null;
    } finally {
      this.#busy = null;
      this.#controller = null;
    }
  }
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  return (
    typeof value === 'object' && value !== null && 'code' in value && 'message' in value && !(value instanceof Error)
  );
}
