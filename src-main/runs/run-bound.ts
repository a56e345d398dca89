// What a run's quote says "at most" to, held to: a call's worst case plus, for an answer Quire reads, its one
// repair's (pricing.ts runBoundUsd), for the dearest of the models the decision lists (run-decision.ts boundOf), so a
// fallback after a call that provably never left ($0) always fits. The first call is made as quoted; every further
// call — the repair, or a fallback model after a failure — only while what the run has been charged so far plus that
// call's worst case (its own reservation) stays within the bound: after a charged failure a fallback that no longer
// fits is skipped with the figures (a local one always fits). A run held to a bound its caller holds (an app's cap)
// checks its first call too.
import type { ModelSpec } from '../../src-preload/contract';
import { QuireError } from '../errors';
import { runBoundUsd } from '../orchestrator/pricing';
import { toMicros } from '../store/money';
import { usdText } from '../../src-preload/contract/usd-text';

/** Rounding room: reservations and charges are whole micro-dollars. */
const SLACK_MICROS = 1;

export class RunBound {
  readonly micros: number;

  /** `boundUsd`: the run's quoted at-most; `setBy`: the model whose worst case it is (null: none is priced). */
  constructor(
    readonly boundUsd: number,
    readonly setBy: string | null = null,
  ) {
    this.micros = toMicros(boundUsd);
  }

  /**
   * The bound of a run on `spec` as decided: `inputTokens` in (its images counted), `maxOutputTokens` out, at the
   * multiple its reservations are held at (`overrun`: the model charged that much more than held this month).
   */
  static of(
    spec: ModelSpec,
    inputTokens: number,
    maxOutputTokens: number,
    options: { repair: boolean; at?: Date | undefined; overrun?: number | undefined },
  ): RunBound {
    const usd = runBoundUsd(spec, inputTokens, maxOutputTokens, {
      repair: options.repair,
      ...(options.at ? { at: options.at } : {}),
    });
    return new RunBound(usd * (options.overrun ?? 1), spec.id);
  }

  /** Whether a call of `worstCaseUsd` may still be made after `chargedMicros`. */
  fits(chargedMicros: number, worstCaseUsd: number): boolean {
    return chargedMicros + toMicros(worstCaseUsd) <= this.micros + SLACK_MICROS;
  }

  /** The check for a run's first call on `model`, when the caller holds the run to this bound (an app's cap). */
  admitFirst(model: string): (worstCaseUsd: number) => Error | null {
    return this.admit(
      0,
      'unavailable',
      (worst) =>
        `${model} was not asked: it could cost up to ${worst}, more than the ${usdText(this.boundUsd)} this run was ` +
        'quoted and held at most. Nothing was sent. Try again (the new quote covers it).',
    );
  }

  /** The check for a repair of `model`'s unreadable answer (ModelAttempts' admit). */
  admitRepair(chargedMicros: number, model: string, problem: string): (worstCaseUsd: number) => Error | null {
    return this.admit(
      chargedMicros,
      'provider_error',
      (worst, charged) =>
        `${model}'s answer could not be read (${problem}), and asking it once more could cost up to ${worst}: with ` +
        `${charged} already charged, that is more than the ${usdText(this.boundUsd)} this run was quoted at most, so ` +
        'Quire did not ask. Its answer was not used, so nothing changed. Try again, or choose another model.',
    );
  }

  /** The check for falling back to `model` after `failed` ("<model> failed (<why>)"): ModelAttempts' admit. */
  admitFallback(chargedMicros: number, model: string, failed: string): (worstCaseUsd: number) => Error | null {
    return this.admit(
      chargedMicros,
      'unavailable',
      (worst, charged) =>
        `${failed}, and ${model} was not tried in its place: it could cost up to ${worst}, and with ${charged} ` +
        `already charged that is more than the ${usdText(this.boundUsd)} this run was quoted at most. Try again (the new ` +
        'quote covers it), or choose another model.',
    );
  }

  /** A call of `worstCaseUsd` after `chargedMicros` passes, or is refused with `why` (given both as dollars). */
  private admit(
    chargedMicros: number,
    code: 'provider_error' | 'unavailable',
    why: (worst: string, charged: string) => string,
  ): (worstCaseUsd: number) => Error | null {
    return (worst) =>
      this.fits(chargedMicros, worst)
        ? null
        : new QuireError(code, why(usdText(worst), usdText(chargedMicros / 1e6)), { retryable: true, advised: true });
  }
}
