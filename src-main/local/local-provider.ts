// The local adapter: registry models whose provider is "local" become LanguageModels served by the runtime. A model
// that cannot load (invalid, out of memory) falls back to the next smaller installed local model (seed 002), and the
// result says so in its warnings so the run records it.
import type { ModelSpec } from '../../src-preload/contract';
import { LocalModelError, isQuireError } from '../errors';
import { LOCAL_FALLBACK_WARNING, LOCAL_SHORTENED_WARNING, type LocalModelProvider } from '../providers/local-models';
import type { GenerateRequest, GenerateResult, LanguageModel, StreamPart } from '../providers/spec';
import { chatOnce } from './local-chat';
import { completeOnce } from './local-completion';
import { ensurePromptFits, hasChatTemplate } from './local-prompt';
import { EngineStartError, LocalLoadError, type LocalRuntime } from './runtime';
import { joinAnd } from '../../src-preload/contract/list-text';

/** What the adapter needs from the library: where an installed, verified GGUF is and how big it is. */
export interface InstalledLookup {
  installedFile(catalogId: string): { path: string; bytes: number } | undefined;
}

export interface LocalProviderOptions {
  runtime: LocalRuntime;
  library: InstalledLookup;
  /** Every registry model (the adapter picks local ones for fallback). */
  registry: () => ModelSpec[];
}

export class LocalModels implements LocalModelProvider {
  constructor(private readonly options: LocalProviderOptions) {}

  isInstalled(catalogId: string): boolean {
    return this.options.library.installedFile(catalogId) !== undefined;
  }

  languageModel(spec: ModelSpec): LanguageModel {
    return new LocalLanguageModel(spec, this);
  }

  /** The context an installed local model has or will be opened with; undefined when it is not installed. */
  async contextWindow(spec: ModelSpec): Promise<number | undefined> {
    const file = spec.local ? this.options.library.installedFile(spec.local.catalog_id) : undefined;
    if (!file) return undefined;
    return this.options.runtime.contextSize(spec.local!.catalog_id, file.path);
  }

  /** The model itself first, then smaller installed local models, largest first. */
  candidates(spec: ModelSpec): { spec: ModelSpec; path: string; bytes: number }[] {
    const own = spec.local ? this.options.library.installedFile(spec.local.catalog_id) : undefined;
    const first = own ? [{ spec, ...own }] : [];
    const limit = own?.bytes ?? Number.POSITIVE_INFINITY;
    const smaller = this.options
      .registry()
      .filter((other) => other.provider === 'local' && other.local && other.id !== spec.id)
      .map((other) => ({ spec: other, file: this.options.library.installedFile(other.local!.catalog_id) }))
      .filter((c): c is { spec: ModelSpec; file: { path: string; bytes: number } } => !!c.file && c.file.bytes < limit)
      .sort((a, b) => b.file.bytes - a.file.bytes)
      .map((c) => ({ spec: c.spec, ...c.file }));
    return [...first, ...smaller];
  }

  /** Runs one chat on the first candidate that loads; load failures and OOM move on to the next smaller one. */
  async run(
    spec: ModelSpec,
    request: GenerateRequest,
    signal: AbortSignal | undefined,
    onText?: (text: string) => void,
    onStatus?: (status: LocalCallStatus) => void,
  ): Promise<GenerateResult> {
    const candidates = this.candidates(spec);
    if (candidates.length === 0 || candidates[0]!.spec.id !== spec.id)
      throw new LocalModelError(
        'not_installed',
        `${spec.display_name} is not installed any more: download or add it again in Models, or choose another model.`,
        { advised: true },
      );
    const failures: { name: string; error: LocalModelError }[] = [];
    for (const candidate of candidates) {
      let started = false;
      try {
        const result = await this.options.runtime.use(
          candidate.spec.local?.catalog_id ?? candidate.spec.id,
          candidate.path,
          (model) => {
            started = true;
            // Refused with the numbers rather than shifted: a context shift would drop the prompt's start silently.
            const contextSize = model.context.contextSize;
            const fitted = ensurePromptFits(
              model.model,
              contextSize,
              request.messages,
              request.maxOutputTokens,
              candidate.spec.display_name,
              request.leastOutputTokens,
            );
            onStatus?.({ queue_position: null, generating: true });
            const options = { ...(signal ? { signal } : {}), ...(onText ? { onText } : {}) };
            const sent = fitted === request.maxOutputTokens ? request : { ...request, maxOutputTokens: fitted };
            // A base model (no chat template in its GGUF) gets a plain completion prompt, not a borrowed chat format.
            const answered = hasChatTemplate(model.model)
              ? chatOnce(model, sent, options)
              : completeOnce(model, sent, options);
            return sent === request
              ? answered
              : answered.then((result) => {
                  result.warnings.push(`${LOCAL_SHORTENED_WARNING}${fitted}/${contextSize}`);
                  return result;
                });
          },
          (position) => onStatus?.({ queue_position: position, generating: false }),
        );
        if (candidate.spec.id !== spec.id)
          result.warnings.unshift(
            `${LOCAL_FALLBACK_WARNING}${spec.id}->${candidate.spec.id}: ${failures.map((f) => whatHappened(f.error)).join(' ')} ` +
              `Quire answered with the smaller ${candidate.spec.display_name} instead.`,
          );
        return result;
      } catch (error) {
        // The engine itself did not start: every model would fail the same way, so none smaller is tried.
        if (error instanceof EngineStartError) throw error;
        const loadFailure =
          !started &&
          error instanceof LocalModelError &&
          (error.reason === 'load_failed' ||
            error.reason === 'out_of_memory' ||
            error.reason === 'invalid_file' ||
            error.reason === 'not_installed');
        if (!loadFailure) throw error;
        failures.push({ name: candidate.spec.display_name, error });
      }
    }
    throw allFailed(failures);
  }
}

/** What happened to one model, without its step (a LocalLoadError's `what`; any other message whole). */
function whatHappened(error: LocalModelError): string {
  return error instanceof LocalLoadError ? error.what : error.message;
}

/**
 * The model asked for could not run, nor could any smaller one tried after it. One model: its own error, reason and
 * words unchanged. Several: what happened to each in turn, then their steps once each; the reason is the first's
 * (what stopped the model the writer asked for).
 */
function allFailed(failures: { name: string; error: LocalModelError }[]): LocalModelError {
  const [first, ...smaller] = failures;
  if (!first) return new LocalModelError('load_failed', 'No installed local model could run this.');
  if (smaller.length === 0) return first.error;
  const steps = [
    ...new Set(failures.map((f) => (f.error instanceof LocalLoadError ? f.error.step : '')).filter((s) => s !== '')),
  ];
  const names = smaller.map((f) => f.name);
  const tried = joinAnd(names);
  const message =
    `${whatHappened(first.error)} Quire also tried the smaller ${tried}: ` +
    `${smaller.map((f) => whatHappened(f.error)).join(' ')}${steps.length > 0 ? ` ${steps.join(' ')}` : ''}`;
  return new LocalModelError(first.error.reason, message, {
    cause: first.error,
    advised: failures.every((f) => f.error.advised),
  });
}

/** Where a local call stands before its first token (see the `status` stream part). */
export interface LocalCallStatus {
  queue_position: number | null;
  generating: boolean;
}

class LocalLanguageModel implements LanguageModel {
  readonly provider = 'local';
  readonly modelId: string;

  constructor(
    private readonly spec: ModelSpec,
    private readonly models: LocalModels,
  ) {
    this.modelId = spec.id;
  }

  generate(request: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    return this.models.run(this.spec, request, signal);
  }

  async *stream(request: GenerateRequest, signal?: AbortSignal): AsyncIterable<StreamPart> {
    const queue: StreamPart[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    let failure: unknown;
    let result: GenerateResult | undefined;
    const push = (part: StreamPart) => {
      queue.push(part);
      wake?.();
    };
    void this.models
      .run(
        this.spec,
        request,
        signal,
        (text) => push({ type: 'text-delta', text }),
        (status) => push({ type: 'status', ...status }),
      )
      .then(
        (value) => (result = value),
        (error: unknown) => (failure = error),
      )
      .finally(() => {
        done = true;
        wake?.();
      });
    while (true) {
      while (queue.length > 0) yield queue.shift()!;
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    if (failure !== undefined)
      throw isQuireError(failure) ? failure : new LocalModelError('generation_failed', String(failure));
    yield {
      type: 'finish',
      finishReason: result!.finishReason,
      ...(result!.stopSequence !== undefined ? { stopSequence: result!.stopSequence } : {}),
      usage: result!.usage,
      warnings: result!.warnings,
      ...(result!.json !== undefined ? { json: result!.json } : {}),
      ...(result!.jsonError !== undefined ? { jsonError: result!.jsonError } : {}),
    };
  }
}
