// What the orchestrator knows and would do: models with availability, tasks, a monthly estimate per tier for this
// writer's usage, and what each tier would pick for every task (and why).
import type { ErrorInfo, QualityTier } from '../../../../src-preload/contract';
import type { Capabilities, Estimate, Recommendations } from '../../../../src-preload/contract/orchestrator';
import { call } from '../api/client';
import { toErrorInfo } from '../api/error-guidance';
import { TIERS } from '../tiers';
import { recentUsage, SAMPLE_USAGE } from '../usage';

export interface UsageProfile {
  /** Runs per month by task. */
  usage: Record<string, number>;
  /** recent: from this writer's last 30 days of runs; sample: seed 000's typical month (no runs yet). */
  source: 'recent' | 'sample';
}

export class OrchestratorManager {
  #capabilities = $state<Capabilities | null>(null);
  #estimates = $state<Partial<Record<QualityTier, Estimate>>>({});
  #recommendations = $state<Recommendations[]>([]);
  #profile = $state<UsageProfile | null>(null);
  #error = $state<ErrorInfo | null>(null);
  #loading = $state(false);

  get capabilities() {
    return this.#capabilities;
  }
  get tasks() {
    return this.#capabilities?.tasks ?? [];
  }
  get models() {
    return this.#capabilities?.models ?? [];
  }
  get estimates() {
    return this.#estimates;
  }
  get recommendations() {
    return this.#recommendations;
  }
  get profile() {
    return this.#profile;
  }
  get error() {
    return this.#error;
  }
  get loading() {
    return this.#loading;
  }

  readonly availableCount = $derived(this.#capabilities?.models.filter((model) => model.available).length ?? 0);

  modelName(id: string | null): string {
    if (!id) return 'None available';
    return this.#capabilities?.models.find((model) => model.id === id)?.display_name ?? id;
  }

  taskName(id: string): string {
    return this.#capabilities?.tasks.find((task) => task.id === id)?.display_name ?? id;
  }

  /**
   * Loads everything the AI Intelligence panel shows. Estimates use the writer's runs per task over the last 30 days;
   * with none yet, the seed's sample month is used and labelled as such.
   */
  async load(): Promise<void> {
    this.#loading = true;
    try {
      const [capabilities, recent] = await Promise.all([
        call('orchestrator:capabilities'),
        call('runs:list', { limit: 500 }),
      ]);
      this.#capabilities = capabilities;
      this.#profile = this.#pickProfile(capabilities, recentUsage(recent.runs, Date.now()));
      await Promise.all([this.refreshEstimates(), this.refreshRecommendations()]);
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    } finally {
      this.#loading = false;
    }
  }

  /** Models and tasks only (the Workbench, Models and Spend screens need no estimates). */
  async loadCapabilities(): Promise<void> {
    try {
      this.#capabilities = await call('orchestrator:capabilities');
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  /** Re-asks after something that changes choices (tier, budget, keys, downloads, packs). */
  async refresh(): Promise<void> {
    // Before load() has worked out the usage profile there is nothing to refresh (load will fetch it all).
    if (!this.#capabilities || !this.#profile) return;
    try {
      this.#capabilities = await call('orchestrator:capabilities');
      await Promise.all([this.refreshEstimates(), this.refreshRecommendations()]);
      this.#error = null;
    } catch (error) {
      this.#error = toErrorInfo(error);
    }
  }

  async refreshEstimates(): Promise<void> {
    const usage = this.#profile?.usage ?? {};
    const results = await Promise.all(TIERS.map((tier) => call('orchestrator:estimate', { tier, usage })));
    this.#estimates = Object.fromEntries(results.map((estimate) => [estimate.tier, estimate]));
  }

  async refreshRecommendations(): Promise<void> {
    const tasks = this.#capabilities?.tasks ?? [];
    this.#recommendations = await Promise.all(tasks.map((task) => call('orchestrator:recommend', { task: task.id })));
  }

  #pickProfile(capabilities: Capabilities, recent: Record<string, number>): UsageProfile {
    const known = (task: string) => capabilities.tasks.some((spec) => spec.id === task);
    const usage = Object.fromEntries(Object.entries(recent).filter(([task, runs]) => known(task) && runs > 0));
    if (Object.keys(usage).length > 0) return { usage, source: 'recent' };
    const sample = Object.fromEntries(Object.entries(SAMPLE_USAGE).filter(([task]) => known(task)));
    return { usage: sample, source: 'sample' };
  }

  reset(): void {
    this.#capabilities = null;
    this.#estimates = {};
    this.#recommendations = [];
    this.#profile = null;
    this.#error = null;
    this.#loading = false;
  }
}

export const orchestratorManager = new OrchestratorManager();
