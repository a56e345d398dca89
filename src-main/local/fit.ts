// Will this model fit? Answered before any byte of weights is fetched: from the GGUF header (read over HTTP Range
// requests for a remote file) through GgufInsights, against the memory budget minus what is already resident.
import { readGgufFileInfo } from 'node-llama-cpp';
import type { CatalogEntry, FitReport, FitVerdict } from '../../src-preload/contract';
import { bytesText } from '../../src-preload/contract/bytes-text';
import { DownloadError, LocalModelError, NotFoundError } from '../errors';
import { silentLogger, type Logger } from '../infra/logger';
import { downloadUrl, normalizeModelUrl, urlFileName } from './catalog';
import { httpFailure, STALL_MS } from './download-transfer';
import { checkRemoteGguf, summarize } from './gguf-check';
import type { ModelLibrary } from './library';
import { MB } from './machine';
import type { LocalRuntime, MemoryEstimate } from './runtime';

/** Below this share of the free budget a model "fits"; up to all of it is "tight". */
const COMFORTABLE = 0.8;

export function fitVerdict(need: number, budget: number, resident: number): { verdict: FitVerdict; message: string } {
  const free = Math.max(0, budget - resident);
  if (need > budget)
    return {
      verdict: 'wont_fit',
      message: `Needs about ${bytesText(need)}; the local-model memory budget is ${bytesText(budget)}`,
    };
  if (need > free)
    return {
      verdict: 'tight',
      message: `Needs about ${bytesText(need)}; ${bytesText(free)} is free while other models are loaded, so they would be unloaded`,
    };
  if (need > free * COMFORTABLE)
    return { verdict: 'tight', message: `Needs about ${bytesText(need)} of the ${bytesText(free)} still free` };
  return { verdict: 'fits', message: `Needs about ${bytesText(need)}; ${bytesText(free)} is free` };
}

export class FitService {
  constructor(
    private readonly library: ModelLibrary,
    private readonly runtime: LocalRuntime,
    private readonly fetchImpl?: typeof fetch,
    private readonly logger: Logger = silentLogger,
    private readonly timeoutMs = STALL_MS,
  ) {}

  /** Quick verdict from the catalog's own estimate (no network), shown as the catalog's badge. */
  fromCatalog(entry: CatalogEntry): FitReport {
    return this.report(entry.memory_estimate_mb * MB, 'catalog');
  }

  async check(input: { id: string } | { url: string }): Promise<FitReport> {
    if ('id' in input) {
      const installed = this.library.installedFile(input.id);
      if (installed) {
        const estimate = await this.runtime.estimate(installed.path);
        return this.report(estimate.bytes, 'gguf_header', estimate);
      }
      const entry = this.library.catalogEntry(input.id);
      if (!entry) throw new NotFoundError('Model', input.id);
      return this.remote(downloadUrl(entry));
    }
    return this.remote(normalizeModelUrl(input.url));
  }

  private async remote(url: string): Promise<FitReport> {
    const label = urlFileName(url) || url;
    let expected: number;
    let info;
    // A server that answers and then sends next to nothing must not hold the check (and the screen) for ever.
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      // Our bounded header check first: node-llama-cpp's reader and GgufInsights trust the counts they are given.
      expected = await checkRemoteGguf(url, label, this.fetchImpl, signal);
      info = await readGgufFileInfo(url, {
        sourceType: 'network',
        logWarnings: false,
        fetchRetryOptions: { retries: 1, minTimeout: 200, maxTimeout: 1000 },
        signal,
      });
    } catch (cause) {
      if (cause instanceof LocalModelError) throw cause;
      if (signal.aborted) {
        this.logger.warn(`Fit check of ${url} timed out after ${this.timeoutMs} ms`);
        throw new DownloadError(
          'stalled',
          `${new URL(url).host} answered too slowly to read the model's details (nothing whole within ${Math.round(this.timeoutMs / 1000)} s). Try again later, or get the model from another source.`,
          { cause, advised: true },
        );
      }
      // The fetch's own words ("fetch failed", "HTTP 404 Not Found") are for the log; the writer reads what happened.
      const message = (cause as Error)?.message ?? String(cause);
      const detail = (cause as { cause?: Error } | undefined)?.cause?.message;
      this.logger.warn(`Fit check of ${url} failed: ${message}${detail ? ` (${detail})` : ''}`);
      const answered = /\bHTTP (\d{3})\b|\bstatus(?: code)? (\d{3})\b/i.exec(message);
      const status = Number(answered?.[1] ?? answered?.[2]);
      if (status >= 300) throw httpFailure(status, url);
      throw new DownloadError(
        'server_gone',
        `Quire can't reach ${new URL(url).host} to read the model's details. Check your internet connection, then try again.`,
        { cause, advised: true },
      );
    }
    const summary = summarize(info, expected);
    const estimate = await this.runtime.estimateFromInfo(info, summary.context_length);
    return this.report(estimate.bytes, 'gguf_header', estimate);
  }

  private report(need: number, source: FitReport['source'], plan?: MemoryEstimate): FitReport {
    const budget = this.runtime.budgetBytes();
    const resident = this.runtime.residentBytes();
    const verdict = fitVerdict(need, budget, resident);
    // The context the model would really get: a writer choosing a model for a whole manuscript needs to know.
    if (plan && verdict.verdict !== 'wont_fit')
      verdict.message +=
        plan.limited_by === 'memory'
          ? `, with a ${plan.context_size.toLocaleString('en-US')}-token context (trained for ${plan.trained_context.toLocaleString('en-US')}; the memory budget holds no more)`
          : `, with its full ${plan.context_size.toLocaleString('en-US')}-token context`;
    return {
      ...verdict,
      need_bytes: need,
      budget_bytes: budget,
      resident_bytes: resident,
      source,
    };
  }
}
