// A Scheduler (src-main/local/machine.ts) on a clock the test moves by hand: a timer fires only when the test advances
// past it. The local runtime's idle unloads are timed on one.
import type { Scheduler } from '../../src-main/local/machine';

export class ManualClock implements Scheduler {
  time = 1_000_000;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;
  now = () => this.time;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves the clock on and fires every timer now due. */
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((timer) => timer.at <= this.time);
    this.timers = this.timers.filter((timer) => timer.at > this.time);
    for (const timer of due) timer.fn();
  }
}
