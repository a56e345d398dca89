// Bringing one kind of file into Quire (a .gguf model, or a manuscript): in the desktop app the system file picker
// chooses a path that the usual channel opens; in the browser host the file is uploaded, with progress, after the
// host said it can take a file of that size. One manager per drop zone.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo, PickKind, UploadKind, UploadOutputs } from '$contract';
import { api as defaultApi, Client } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { uploadFile, type Uploader } from '../api/upload';

export interface Intake<K extends UploadKind> {
  kind: K;
  /** What the host does with the file once it has it, as the status says it: "Checking" a model, "Opening" a book. */
  doing: string;
  /** Opens a path the system file picker chose, through the channel a typed path uses. */
  open: (client: Client, path: string) => Promise<UploadOutputs[K]>;
}

export const MODEL_INTAKE: Intake<'model'> = {
  kind: 'model',
  doing: 'Checking',
  open: (client, path) => client.call('models:import', { path }),
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

  constructor(
    private readonly intake: Intake<K>,
    api: QuireApi = defaultApi,
    private readonly send: Uploader = uploadFile,
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
  readonly sent = $derived<number>(this.#sent);
  readonly total = $derived<number>(this.#total);
  /** Bytes are still being sent (Stop can end it); false once every byte is in and the host is at work on the file. */
  readonly uploading = $derived<boolean>(this.#busy !== null && this.#total > 0 && this.#sent < this.#total);
  /**
   * What is happening, in the writer's words: "Uploading Story Helper.gguf" while the bytes go (the progress bar
   * beside it says how many), then "Checking Story Helper.gguf…" while the host checks and test-loads it (up to 20 s
   * for a real model), or "Opening …" a manuscript; null when nothing is being brought in.
   */
  get status(): string | null {
    if (this.#busy === null) return null;
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
      const reply = await this.send({
        kind: this.intake.kind,
        file,
        signal: this.#controller.signal,
        onprogress: (sent, total) => {
          this.#sent = sent;
          this.#total = total;
        },
      });
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
    return this.#run(path.split(/[\\/]/).pop() ?? path, () => this.intake.open(this.#client, path));
  }

  /** Stops an upload in flight; the host removes what had arrived. */
  cancel(): void {
    this.#controller?.abort();
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
