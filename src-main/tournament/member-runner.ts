// Runs one tournament member: streams its answer (pushing tokens), and charges the ledger for exactly this call — the
// provider's own counts when the call finished, what it used so far when it broke mid-stream, nothing when the
// provider is known not to have billed.
import type { ModelSpec } from '../../src-preload/contract';
import { TimeoutError, isQuireError } from '../errors';
import { billingOfError } from '../providers/provider-errors';
import type { GenerateRequest, LanguageModel, Usage } from '../providers/spec';

export interface MemberLedger {
  settle(id: number, costUsd: number, usage: Usage, durationMs?: number): number;
  release(id: number, note: string, durationMs?: number): void;
  recordLocal(
    request: { runId: string | null; modelId: string; provider: string; task: string },
    usage: Usage,
    durationMs: number,
  ): void;
}

export interface MemberCall {
  spec: ModelSpec;
  /** The ledger's provider name (an endpoint's id for custom endpoints). */
  provider: string;
  model: LanguageModel;
  request: GenerateRequest;
  /** The ledger row holding this member's worst case; null for local models ($0, recorded after). */
  reservationId: number | null;
  reservedUsd: number;
  /** Estimated input tokens (the same figure the reservation was made with). */
  inputTokens: number;
  runId: string;
  task: string;
  timeoutMs: number;
  /** Fires when the tournament is abandoned (the app closing). */
  cancel?: AbortSignal;
  /** B's per-provider breaker + timeout (ProviderResilience.execute); without it a plain timeout applies. */
  guard?: (fn: (signal: AbortSignal) => Promise<void>) => Promise<void>;
  onToken: (text: string) => void;
}

export interface MemberOutcome {
  ok: boolean;
  text: string;
  json: unknown;
  usage: Usage;
  costUsd: number;
  durationMs: number;
  error: { code: string; message: string } | null;
}

export interface MemberRunnerDeps {
  ledger: MemberLedger;
  /** A's costUsd: the only place prices are computed. */
  cost: (spec: ModelSpec, usage: Usage) => number;
  /** Monotonic milliseconds for durations. */
  clock: () => number;
}

export async function runMember(call: MemberCall, deps: MemberRunnerDeps): Promise<MemberOutcome> {
  const started = deps.clock();
  let text = '';
  let deltas = 0;
  let finish: { usage: Usage; json?: unknown } | undefined;
  const consume = async (signal: AbortSignal) => {
    const combined = call.cancel ? AbortSignal.any([signal, call.cancel]) : signal;
    for await (const part of call.model.stream(call.request, combined)) {
      if (part.type === 'text-delta') {
        text += part.text;
        deltas++;
        call.onToken(part.text);
      } else {
        finish = part;
      }
    }
  };
  try {
    await (call.guard ? call.guard(consume) : withTimeout(consume, call.timeoutMs));
    const usage = finish?.usage ?? { inputTokens: undefined, outputTokens: undefined };
    const durationMs = Math.round(deps.clock() - started);
    const costUsd = charge(call, deps, usage, durationMs);
    return { ok: true, text, json: finish?.json, usage, costUsd, durationMs, error: null };
  } catch (error) {
    const durationMs = Math.round(deps.clock() - started);
    const error_ = describe(error);
    const used: Usage = {
      inputTokens: call.inputTokens,
      // At least one token per delta, at least one per three characters: never below what was visibly produced.
      outputTokens: Math.max(deltas, Math.ceil(text.length / 3)),
    };
    let costUsd = 0;
    if (call.spec.provider === 'local') {
      deps.ledger.recordLocal(ledgerRequest(call), used, durationMs);
    } else if (call.reservationId !== null) {
      if (billingOfError(error) === 'none' && deltas === 0) {
        deps.ledger.release(call.reservationId, `tournament member failed: ${error_.code}`, durationMs);
      } else {
        // Broke after the provider accepted the call: charge what it used, never more than was reserved.
        costUsd = Math.min(call.reservedUsd, deps.cost(call.spec, used));
        costUsd = deps.ledger.settle(call.reservationId, costUsd, used, durationMs);
      }
    }
    return { ok: false, text, json: undefined, usage: used, costUsd, durationMs, error: error_ };
  }
}

async function withTimeout(fn: (signal: AbortSignal) => Promise<void>, ms: number): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    await fn(controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw new TimeoutError(`No complete answer within ${Math.round(ms / 1000)} s`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function charge(call: MemberCall, deps: MemberRunnerDeps, usage: Usage, durationMs: number): number {
  if (call.spec.provider === 'local') {
    deps.ledger.recordLocal(ledgerRequest(call), usage, durationMs);
    return 0;
  }
  if (call.reservationId === null) return 0;
  // A provider that reports no counts is charged its reservation (the worst case), never $0.
  const known = usage.inputTokens !== undefined && usage.outputTokens !== undefined;
  const cost = known ? deps.cost(call.spec, usage) : call.reservedUsd;
  return deps.ledger.settle(call.reservationId, cost, usage, durationMs);
}

function ledgerRequest(call: MemberCall) {
  return { runId: call.runId, modelId: call.spec.id, provider: call.provider, task: call.task };
}

function describe(error: unknown): { code: string; message: string } {
  if (isQuireError(error)) return { code: error.code, message: error.message };
  return { code: 'provider_error', message: error instanceof Error ? error.message : String(error) };
}
