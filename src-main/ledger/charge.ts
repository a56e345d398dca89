// One call, one charge: the reservation a provider call holds from before it is sent until it is closed by the
// ledger's one rule (settled to the provider's counts, kept at the reservation when usage never arrived, released when
// the call provably never left). Opening and closing each commit with the caller's run row in the same transaction,
// and each resolves only once that commit is on disk.
import type { ChosenBy } from '../orchestrator/chosen-by';
import type { Usage } from '../providers/spec';

export interface Reservation {
  id: number;
  month: string;
  reservedUsd: number;
}

/** How a call ended, for the ledger's close (its one rule). */
export interface CallEnd {
  /** The provider's own counts; undefined, or a count missing, when it did not report them. */
  usage?: Usage | undefined;
  /** Prices reported usage (A's costUsd for the model called). */
  price: (usage: Usage) => number;
  /** The provider is known to have billed nothing (an HTTP error answer, a refused connection, a breaker). */
  unbilled?: boolean;
  /** Why the row counts what it does, kept with it: a code ("usage unknown after timeout") or words the export shows. */
  note?: string | null;
  durationMs?: number;
}

export interface ChargeCall {
  runId: string | null;
  modelId: string;
  provider: string;
  task: string;
  /** Who chose the model (recorded with a local call's row; a cloud call's reservation has it already). */
  chosenBy?: ChosenBy | null | undefined;
}

/** What a charge needs from the ledger that opened it. */
export interface ChargeBook {
  /** The one rule, inside the caller's transaction; returns the USD charged. */
  close(id: number, end: CallEnd): number;
  /** A local call: its tokens and time at $0. */
  recordLocal(call: ChargeCall, usage: CallEnd['usage'], durationMs: number): void;
  /** One group-committed transaction; resolves with `fn`'s result once it is on disk. */
  commit<T>(fn: () => T): Promise<T>;
}

export class Charge {
  private closed: Promise<number> | null = null;

  /**
   * Settles once the reservation's commit is on disk: nothing may be sent to the provider before. Rejects when the
   * disk failed (the call must not be sent); resolved already for a charge opened on disk.
   */
  readonly onDisk: Promise<void>;

  constructor(
    private readonly book: ChargeBook,
    readonly call: ChargeCall,
    /** null: a local call (nothing held; recorded at $0 when it closes). */
    readonly reservation: Reservation | null,
    onDisk: Promise<void> = Promise.resolve(),
  ) {
    this.onDisk = onDisk;
    // Heard through whoever sends the call (or closes the charge); never an unhandled rejection of its own.
    onDisk.catch(() => undefined);
  }

  get id(): number | null {
    return this.reservation?.id ?? null;
  }

  /**
   * Closes the charge by the ledger's one rule; `within` writes in the same transaction knowing what was charged
   * (micro-USD) — the run row that owns the call. Resolves with the USD charged once that commit is on disk. A charge
   * closes once: a second close is a bug in the caller, refused before anything is written.
   */
  close(end: CallEnd & { servedBy?: string }, within?: (chargedUsd: number) => void): Promise<number> {
    if (this.closed) return Promise.reject(new Error(`charge ${this.id ?? 'local'} is already closed`));
    const reservation = this.reservation;
    this.closed = this.book.commit(() => {
      let charged = 0;
      if (reservation) charged = this.book.close(reservation.id, end);
      else
        this.book.recordLocal(
          { ...this.call, modelId: end.servedBy ?? this.call.modelId },
          end.usage ?? { inputTokens: undefined, outputTokens: undefined },
          end.durationMs ?? 0,
        );
      within?.(charged);
      return charged;
    });
    return this.closed;
  }
}
