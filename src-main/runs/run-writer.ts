// Writing a run's row: its starting shape, and its end (completed, with the charge settled in the same transaction;
// failed or cancelled), with the run:* event that announces it.
import type { Decision, ErrorInfo } from '../../src-preload/contract';
import type { RunRecord } from '../../src-preload/contract/runs';
import type { RunWrite } from '../store/repos/runs-repo';
import type { AttemptResult } from './model-attempt';
import { toRecord } from './run-record';
import type { RunServiceOptions } from './run-service-options';
import { toMicros, toUsd } from '../store/money';
import type { Charge } from '../ledger/charge';
import type { CallEnd } from '../ledger/ledger';

export type RunWriterDeps = Pick<RunServiceOptions, 'ledger' | 'repo' | 'events' | 'now' | 'redact'> & {
  monotonic: () => number;
  info: (error: unknown) => ErrorInfo;
};

/** A run's row before anything is known of it: no model, no answer, nothing spent; failed until it is otherwise. */
export function blankRunWrite(id: string, task: string, request: unknown, createdAt: string): RunWrite {
  return {
    id,
    task,
    status: 'failed',
    model_id: null,
    request,
    text: null,
    json: undefined,
    reason: null,
    fallback_chain: [],
    attempts: [],
    fallbacks: [],
    input_tokens: null,
    output_tokens: null,
    cost_micros: 0,
    latency_ms: null,
    cache_hit: false,
    cache_key: null,
    error: null,
    created_at: createdAt,
    finished_at: null,
    answer: null,
    truncated: false,
    task_version: null,
  };
}

export class RunWriter {
  constructor(private readonly o: RunWriterDeps) {}

  baseWrite(runId: string, task: string, request: unknown): RunWrite {
    return blankRunWrite(runId, task, request, this.o.now().toISOString());
  }

  /**
   * Stores the completed run. Its call's charge closes in the same transaction (one commit, never a run without its
   * charge); resolves once that commit is on disk, with the run:completed event after it.
   */
  async complete(
    base: Readonly<RunWrite>,
    startedAt: number,
    modelId: string | null,
    result: AttemptResult,
    paid?: { readonly charge: Charge; readonly end: CallEnd & { servedBy?: string } } | null,
    emit = true,
  ): Promise<RunRecord> {
    const latency = Math.round(this.o.monotonic() - startedAt);
    let record!: RunRecord;
    const store = (chargedUsd: number) => {
      const charged = toMicros(chargedUsd);
      const write: RunWrite = {
        ...base,
        status: 'completed',
        model_id: modelId,
        // A model may echo a key it was shown: the stored answer never keeps it.
        text: this.o.redact(result.text),
        json: this.redactValue(result.json),
        answer: this.redactValue(base.answer),
        input_tokens: result.usage.inputTokens ?? null,
        output_tokens: result.usage.outputTokens ?? null,
        cost_micros: base.cost_micros + charged,
        latency_ms: latency,
        finished_at: this.o.now().toISOString(),
        attempts: base.attempts.map((a, i) =>
          i === base.attempts.length - 1 && a.outcome === 'ok' ? { ...a, cost_usd: toUsd(charged) } : a,
        ),
      };
      this.o.repo.save(write);
      record = toRecord(write);
    };
    if (paid) await paid.charge.close(paid.end, store);
    else await this.o.ledger.commit(() => store(0));
    if (emit) this.o.events.emit('run:completed', record);
    return record;
  }

  /** A structured answer holds the model's text too: masked as text, key by key, keeping its shape. */
  private redactValue<T>(value: T): T {
    if (value === undefined || value === null) return value;
    const json = JSON.stringify(value);
    const masked = this.o.redact(json);
    return masked === json ? value : (JSON.parse(masked) as T);
  }

  /** Stores a run that did not complete (failed or cancelled); resolves once it is on disk. */
  async store(
    base: Readonly<RunWrite>,
    startedAt: number,
    error: unknown,
    decision: Decision | null,
    emit: boolean,
  ): Promise<{ record: RunRecord; info: ErrorInfo }> {
    const info = this.o.info(error);
    const write: RunWrite = {
      ...base,
      // What had arrived before a Stop (or a failure) is the model's text as it came, unmasked: masked as an answer is.
      text: base.text === null ? null : this.o.redact(base.text),
      status: base.status === 'cancelled' ? 'cancelled' : 'failed',
      reason: base.reason ?? decision?.reason ?? null,
      latency_ms: Math.round(this.o.monotonic() - startedAt),
      error: info,
      finished_at: this.o.now().toISOString(),
    };
    await this.o.ledger.commit(() => this.o.repo.save(write));
    const record = toRecord(write);
    if (emit) this.o.events.emit('run:failed', { run_id: base.id, error: info, record });
    return { record, info };
  }
}
