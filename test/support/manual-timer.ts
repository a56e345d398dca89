// A DeadlineTimer on a clock the test moves by hand: a deadline fires only when the test advances past it.
import type { DeadlineTimer } from '../../src-main/runs/first-token-deadline';

export class ManualTimer implements DeadlineTimer {
  private nowMs = 0;
  private readonly pending = new Set<{ at: number; fn: () => void }>();

  set(fn: () => void, ms: number): () => void {
    const timer = { at: this.nowMs + ms, fn };
    this.pending.add(timer);
    return () => this.pending.delete(timer);
  }

  /** Timers armed and not yet fired or cleared. */
  get armed(): number {
    return this.pending.size;
  }

  /** Moves the clock on and fires every timer now due, earliest first. */
  advance(ms: number): void {
    this.nowMs += ms;
    const due = [...this.pending].filter((t) => t.at <= this.nowMs).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.pending.delete(timer);
      timer.fn();
    }
  }
}
