// The Spend screen's state: one month of the ledger (daily, by model, by task), the alerts it crossed, CSV export.
// The month on screen follows spend:updated pushes, so the gauge and the daily chart move as calls settle.
import type { QuireApi } from '../../../../src-preload/api';
import type { SpendCurrent, SpendMonth } from '$contract/spend';
import { ALERT_THRESHOLDS, type AlertThreshold } from '$contract/constants';
import { api as defaultApi, Client } from '../api/client';
import { currentMonth, formatMonth, formatUsd } from '../format';
import { roundUsd } from '$contract/usd-text';
import { HELD_AHEAD_ID, HELD_AHEAD_NAME } from '$contract/model-ids';
import { sessionGet, sessionSet } from '../session-store';
import { action, resource } from '../resource.svelte';

export interface RaisedAlert {
  threshold: AlertThreshold;
  spent_usd: number;
  budget_usd: number;
}

/** Hands a file to the writer (in the app: a browser download). */
export type SaveFile = (filename: string, text: string, type: string) => void;

/** Where the month picked is kept over a reload of the window (null: this month, which follows the calendar). */
export interface MonthStore {
  load(): string | null;
  save(month: string | null): void;
}

export interface SpendDependencies {
  now?: () => number;
  saveFile?: SaveFile;
  monthStore?: MonthStore;
}

export class SpendManager {
  readonly #client: Client;
  readonly #now: () => number;
  readonly #saveFile: SaveFile;
  readonly #monthStore: MonthStore;
  #month = $state('');
  readonly #data = resource((month: string) => this.#client.call('spend:month', { month }), null as SpendMonth | null);
  readonly #export = action({ clearError: 'on-success' });
  /** Alerts pushed while the app is open, by month (the ledger's totals also imply them after a restart). */
  #pushed = $state.raw<Record<string, RaisedAlert[]>>({});

  constructor(
    api: QuireApi = defaultApi,
    { now = Date.now, saveFile = downloadFile, monthStore = sessionMonth }: SpendDependencies = {},
  ) {
    this.#client = new Client(api);
    this.#now = now;
    this.#saveFile = saveFile;
    this.#monthStore = monthStore;
    const kept = monthStore.load();
    // YYYY-MM strings compare as dates: a month still to come (the clock moved back) is not shown.
    this.#month = kept && MONTH.test(kept) && kept < this.#thisMonth() ? kept : this.#thisMonth();
  }

  readonly month = $derived(this.#month);
  readonly data = $derived(this.#data.value);
  readonly error = $derived(this.#data.error);
  readonly exporting = $derived(this.#export.busy);
  readonly exportError = $derived(this.#export.error);

  /**
   * What the calls a crash interrupted count for (null for none). Not "the budget is never crossed": an overrun or a
   * budget lowered since can cross it, and the gauge beside this would say so. What was held ahead when the Mac stopped
   * is counted the same way but is no call: it is said apart (heldAhead).
   */
  readonly interrupted = $derived.by((): { message: string; next: string } | null => {
    const data = this.#data.value;
    const orphaned = roundUsd((data?.orphaned_usd ?? 0) - heldAheadOf(data));
    if (orphaned <= 0) return null;
    return {
      message: `${formatUsd(orphaned)} of it is for calls that were interrupted when Quire closed.`,
      next:
        "Quire can't know what the provider billed for them, so they count as spent at the most they could have " +
        'cost, never less.',
    };
  });

  /** What a Quire process held ahead for its calls when the Mac stopped, counted as spent (null for none). */
  readonly heldAhead = $derived.by((): { message: string; next: string } | null => {
    const held = heldAheadOf(this.#data.value);
    if (held <= 0) return null;
    return {
      message: `${formatUsd(held)} of it was held ahead for calls when your Mac stopped (a power cut or a restart).`,
      next:
        'Calls sent from it may not have been recorded, so Quire counts all of it as spent, never less. It is the ' +
        `“${HELD_AHEAD_NAME}” line below.`,
    };
  });

  /** Every threshold this month has crossed: pushed spend:alert events plus what the month's spending implies. */
  readonly alerts = $derived.by((): RaisedAlert[] => {
    const data = this.#data.value;
    const byThreshold: Partial<Record<AlertThreshold, RaisedAlert>> = {};
    for (const alert of this.#pushed[this.#month] ?? []) byThreshold[alert.threshold] = alert;
    if (data?.budget_usd) {
      // Never the holds of calls still running: a call that settles for less would raise an alert the month never
      // reached.
      const spent = spentOf(data);
      for (const threshold of ALERT_THRESHOLDS) {
        if (spent >= (data.budget_usd * threshold) / 100 && !byThreshold[threshold]) {
          byThreshold[threshold] = { threshold, spent_usd: spent, budget_usd: data.budget_usd };
        }
      }
    }
    return ALERT_THRESHOLDS.flatMap((threshold) => byThreshold[threshold] ?? []).reverse();
  });

  /**
   * Share of calls (and of tokens) that ran on this machine; what the cloud calls cost as the gauge counts spent, and
   * apart from it what is held for those still running (a worst case, not yet a cost) and what was held ahead when the
   * Mac stopped (counted as spent, but no call's cost).
   */
  readonly localShare = $derived.by(() => {
    const groups = this.#data.value?.by_model ?? [];
    let localCalls = 0;
    let cloudCalls = 0;
    let localTokens = 0;
    let cloudTokens = 0;
    let cloudUsd = 0;
    let cloudHeldUsd = 0;
    let heldAheadUsd = 0;
    for (const group of groups) {
      const tokens = group.input_tokens + group.output_tokens;
      // Money held for calls when the Mac stopped, not a call of its own: no call is counted for it.
      if (group.key === HELD_AHEAD_ID) heldAheadUsd += group.spend_usd;
      else if (group.provider === 'local') {
        localCalls += group.calls;
        localTokens += tokens;
      } else {
        cloudCalls += group.calls;
        cloudTokens += tokens;
        cloudUsd += group.spend_usd - group.reserved_usd;
        cloudHeldUsd += group.reserved_usd;
      }
    }
    // Whole micro-dollars, as the ledger counts: a subtraction's float dust is no cent.
    return {
      localCalls,
      cloudCalls,
      localTokens,
      cloudTokens,
      cloudUsd: roundUsd(cloudUsd),
      cloudHeldUsd: roundUsd(cloudHeldUsd),
      heldAheadUsd: roundUsd(heldAheadUsd),
    };
  });

  select(month: string): Promise<boolean> {
    this.#month = month;
    this.#monthStore.save(month === this.#thisMonth() ? null : month);
    return this.load();
  }

  load(): Promise<boolean> {
    return this.#data.load(this.#month);
  }

  /** Asks for the month as CSV and hands it to the writer as a file. */
  async exportCsv(): Promise<void> {
    await this.#export.run(async () => {
      const { filename, csv } = await this.#client.call('spend:export', { month: this.#month });
      this.#saveFile(filename, csv, 'text/csv;charset=utf-8');
    });
  }

  listen(): () => void {
    return this.#client.subscribe({
      'spend:updated': ({ month }) => {
        if (month === this.#month) void this.load();
      },
      'spend:alert': ({ month, threshold, spent_usd, budget_usd }) => {
        const list = (this.#pushed[month] ?? []).filter((alert) => alert.threshold !== threshold);
        this.#pushed = { ...this.#pushed, [month]: [...list, { threshold, spent_usd, budget_usd }] };
      },
      'settings:changed': () => void this.load(),
    });
  }

  #thisMonth(): string {
    return currentMonth(this.#now());
  }

  reset(): void {
    this.#monthStore.save(null);
    this.#month = this.#thisMonth();
    this.#data.reset();
    this.#export.reset();
    this.#pushed = {};
  }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const MONTH_KEY = 'quire.spend.month';

/** The window's sessionStorage: a reload keeps the month on screen; a new window (or Quire restarted) opens on this one. */
const sessionMonth: MonthStore = {
  load: () => sessionGet(MONTH_KEY),
  // Unavailable: a reload shows this month, as before.
  save: (month) => void sessionSet(MONTH_KEY, month),
};

function downloadFile(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click starts the download; the URL must outlive it a little.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const spendManager = new SpendManager();

/**
 * The gauge's figures for the month on screen: the live ones (pushed as calls settle) when they are of that month, else
 * the month's own. Live figures of another month — a new month begun while the screen shows the last, or a window in
 * another time zone than Quire's — would put one month's spend under another's name.
 */
export function gaugeOf(
  month: SpendMonth,
  live: SpendCurrent | null,
): { spent: number; reserved: number; budget: number | null | undefined } {
  // A month gone by has the budget it had then; undefined when that is not known (before Quire kept budgets).
  return live?.month === month.month
    ? { spent: live.spend_usd, reserved: live.reserved_usd, budget: live.budget_usd }
    : {
        spent: spentOf(month),
        reserved: month.reserved_usd,
        budget: month.budget_recorded ? month.budget_usd : undefined,
      };
}

/**
 * What a month gone by says of its budget under the gauge and in place of alerts, when it had none or it is not known
 * (null otherwise, and for this month, whose screen offers to set one).
 */
export function budgetWords(month: SpendMonth, isCurrent: boolean): { gauge: string; alerts: string } | null {
  if (isCurrent || month.budget_usd !== null) return null;
  const name = formatMonth(month.month);
  return month.budget_recorded
    ? {
        gauge: `No monthly budget was set in ${name}.`,
        alerts: `No alerts: no monthly budget was set in ${name}.`,
      }
    : {
        gauge: `Quire began keeping each month's budget after ${name}, so ${name} is not measured against one.`,
        alerts: `No alerts: ${name} is not measured against a budget.`,
      };
}

/** What the month's "held ahead when your Mac stopped" row counts (its own line in By model). */
function heldAheadOf(month: SpendMonth | null): number {
  return month?.by_model.find((group) => group.key === HELD_AHEAD_ID)?.spend_usd ?? 0;
}

/**
 * What a month spent as the ledger's alerts and spend:current count it: settled, and what a crash left (counted at its
 * most), never the holds of calls still running; in whole micro-dollars, as the ledger adds them.
 */
function spentOf(month: SpendMonth): number {
  return roundUsd(month.settled_usd + month.orphaned_usd);
}
