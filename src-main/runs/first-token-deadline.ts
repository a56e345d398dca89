// How long a model may take to send its first token before the run fails it over. A fixed deadline treats a slow but
// working model as dead (a cloud model reading a 12,000-token chapter can need more than 4 s to start), so the
// deadline scales with the input size and is learned from the model's own recent times to first token, never below a
// floor the writer sets (settings.runs.first_token_floor_s).
//
//   expected(model, n) = prior(n) · pace(model)     prior(n) = overheadMs + msPerKToken · n / 1000
//                        (PRIOR for cloud models, LOCAL_PRIOR for local ones)
//   pace(model)        = the slowest recent ratio observed / prior (≥ 1 sample), 1 before any sample
//   deadline           = max(floor, PRIOR.headroom · expected)      reasoning models: × PRIOR.reasoningFactor
//
// Pace uses the slowest recent ratio on purpose: a deadline is a bound, and a model that was once slow for a given
// size is not dead when it is that slow again.

export const PRIOR = {
  /** Connection, queueing at the provider and the first forward pass: what a tiny prompt costs. */
  overheadMs: 1_500,
  /** Prompt reading: roughly half a second per thousand input tokens for today's cloud models. */
  msPerKToken: 500,
  /** How far over the expected time a model may go before it is presumed dead. */
  headroom: 2.5,
  /** Models that think before answering stream nothing for a long while. */
  reasoningFactor: 8,
  /** Recent samples kept per model. */
  window: 20,
  /**
   * Sending images before any token can come back: at 2 Mbit/s (a slow home uplink), 250 bytes per ms of their base64.
   * A page scan of 4 MB is 5.5 MB on the wire, 22 s.
   */
  uploadBytesPerMs: 250,
} as const;

/**
 * A local model reads its prompt on this machine's CPU (or a laptop GPU): tens of times slower than a cloud model,
 * and a busy machine (other apps, other runs) slows it further, so its prior is generous. Its deadline only starts
 * with generation, so loading and the queue are not in it.
 */
export const LOCAL_PRIOR = { overheadMs: 10_000, msPerKToken: 10_000 } as const;

export interface FirstTokenSample {
  modelId: string;
  local?: boolean;
  inputTokens: number;
  firstTokenMs: number;
}

export class FirstTokenDeadlines {
  private readonly paces = new Map<string, number[]>();

  constructor(private readonly floorMs: () => number) {}

  /** Learns from one observed time to first token (a successful streamed call). */
  observe(sample: FirstTokenSample): void {
    if (!Number.isFinite(sample.firstTokenMs) || sample.firstTokenMs < 0) return;
    const list = this.paces.get(sample.modelId) ?? [];
    list.push(sample.firstTokenMs / prior(sample.inputTokens, sample.local === true));
    if (list.length > PRIOR.window) list.splice(0, list.length - PRIOR.window);
    this.paces.set(sample.modelId, list);
  }

  /** The model's recent pace relative to the prior (1 when nothing is known yet). */
  pace(modelId: string): number {
    const list = this.paces.get(modelId);
    return list && list.length > 0 ? Math.max(...list) : 1;
  }

  /** The first-token deadline, ms, for `inputTokens` sent to the model. */
  deadlineMs(
    modelId: string,
    inputTokens: number,
    options: { reasoning?: boolean; local?: boolean; uploadBytes?: number } = {},
  ): number {
    const expected = prior(inputTokens, options.local === true) * this.pace(modelId);
    const deadline = Math.max(this.floorMs(), Math.ceil(PRIOR.headroom * expected));
    const upload = Math.ceil((options.uploadBytes ?? 0) / PRIOR.uploadBytesPerMs);
    return (options.reasoning ? deadline * PRIOR.reasoningFactor : deadline) + upload;
  }
}

function prior(inputTokens: number, local: boolean): number {
  const p = local ? LOCAL_PRIOR : PRIOR;
  return p.overheadMs + (p.msPerKToken * Math.max(0, inputTokens)) / 1000;
}

/** A timer the deadline runs on: the real one, or a test's clock. */
export interface DeadlineTimer {
  set(fn: () => void, ms: number): () => void;
}

export const realTimer: DeadlineTimer = {
  set(fn, ms) {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};
