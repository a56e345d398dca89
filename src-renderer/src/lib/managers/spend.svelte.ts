// The Spend screen's state: one month of the ledger (daily, by model, by task), the alerts it crossed, CSV export.
// The month on screen follows spend:updated pushes, so the gauge and the daily chart move as calls settle.
import type { ErrorInfo } from '../../../../src-preload/contract';
import type { SpendMonth } from '../../../../src-preload/contract/spend';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { subscribe } from '../api/events';
import { currentMonth } from '../format';
import { ALERT_THRESHOLDS, type AlertThreshold } from '../../../../src-preload/contract/constants';

export interface RaisedAlert {
  threshold: AlertThreshold;
  spent_usd: number;
  budget_usd: number;
}

export class SpendManager {
  #month = $state(currentMonth());
  #data = $state<SpendMonth | null>(null);
  #error = $state<ErrorInfo | null>(null);
  #loading = $state(false);
  #exporting = $state(false);
  #exportError = $state<ErrorInfo | null>(null);
  /** Alerts pushed while the app is open, by month (the ledger's totals also imply them after a restart). */
  #pushed = $state<Record<string, RaisedAlert[]>>({});
  #seq = 0;

  get month() {
    return this.#month;
  }
  get data() {
    return this.#data;
  }
  get error() {
    return this.#error;
  }
  get loading() {
    return this.#loading;
  }
  get exporting() {
    return this.#exporting;
  }
  get exportError() {
    return this.#exportError;
  }

  /** Every threshold this month has crossed: pushed spend:alert events plus what the month's total implies. */
  readonly alerts = $derived.by((): RaisedAlert[] => {
    const data = this.#data;
    const byThreshold: Partial<Record<AlertThreshold, RaisedAlert>> = {};
    for (const alert of this.#pushed[this.#month] ?? []) byThreshold[alert.threshold] = alert;
    if (data?.budget_usd) {
      for (const threshold of ALERT_THRESHOLDS) {
        if (data.total_usd >= (data.budget_usd * threshold) / 100 && !byThreshold[threshold]) {
          byThreshold[threshold] = { threshold, spent_usd: data.total_usd, budget_usd: data.budget_usd };
        }
      }
    }
    return ALERT_THRESHOLDS.flatMap((threshold) => byThreshold[threshold] ?? []).reverse();
  });

  /** Share of calls (and of tokens) that ran on this machine. */
  readonly localShare = $derived.by(() => {
    const groups = this.#data?.by_model ?? [];
    let localCalls = 0;
    let cloudCalls = 0;
    let localTokens = 0;
    let cloudTokens = 0;
    let cloudUsd = 0;
    for (const group of groups) {
      const tokens = group.input_tokens + group.output_tokens;
      if (group.provider === 'local') {
        localCalls += group.calls;
        localTokens += tokens;
      } else {
        cloudCalls += group.calls;
        cloudTokens += tokens;
        cloudUsd += group.spend_usd;
      }
    }
    return { localCalls, cloudCalls, localTokens, cloudTokens, cloudUsd };
  });

  async select(month: string): Promise<void> {
    this.#month = month;
    await this.load();
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.#loading = true;
    try {
      const data = await call('spend:month', { month: this.#month });
      if (seq !== this.#seq) return;
      this.#data = data;
      this.#error = null;
    } catch (error) {
      if (seq !== this.#seq) return;
      this.#error = toErrorInfo(error);
    } finally {
      if (seq === this.#seq) this.#loading = false;
    }
  }

  /** Asks for the month as CSV and hands it to the browser as a download. */
  async exportCsv(): Promise<void> {
    this.#exporting = true;
    try {
      const { filename, csv } = await call('spend:export', { month: this.#month });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.#exportError = null;
    } catch (error) {
      this.#exportError = toErrorInfo(error);
    } finally {
      this.#exporting = false;
    }
  }

  listen(): () => void {
    return subscribe({
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

  reset(): void {
    this.#month = currentMonth();
    this.#data = null;
    this.#error = null;
    this.#loading = false;
    this.#exporting = false;
    this.#exportError = null;
    this.#pushed = {};
    this.#seq = 0;
  }
}

export const spendManager = new SpendManager();
