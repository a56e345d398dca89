// The first-run setup: three choices ("free and private", "balanced", "best"), each with what it needs (a download
// with its fit badge, a key) and what a month like this writer's would cost; then the steps, until the writer is done.
import type { QuireApi } from '../../../../src-preload/api';
import type { ErrorInfo, QualityTier, SetupNeed, SetupPlans, Settings, TierPlan } from '$contract';
import { api as defaultApi, Client } from '../api/client';
import { action, resource } from '../resource.svelte';
import { lastMonthRuns, recentTokens, recentUsage, runsPages } from '../usage';
import { TIER_NAMES } from '$contract/settings';
import { ModelsManager, modelsManager, type DownloadState } from './models.svelte';
import { pickProfile, priced } from './orchestrator.svelte';

export type SetupChoice = Settings['setup']['choice'] & string;

export interface SetupOption {
  id: SetupChoice;
  title: string;
  blurb: string;
  tier: QualityTier;
  plan: TierPlan;
}

const OPTIONS: { id: SetupChoice; title: string; blurb: string; tier: QualityTier }[] = [
  {
    id: 'private',
    title: 'Free and private',
    blurb:
      'One model downloaded to this computer. Nothing you write leaves it, and nothing is ever charged. In Settings ' +
      `this is “${TIER_NAMES.budget}” with “Keep everything on this Mac” on.`,
    tier: 'budget',
  },
  {
    id: 'balanced',
    title: TIER_NAMES.balanced,
    blurb: 'A strong, inexpensive cloud model for deep analysis; free local models where they are good enough.',
    tier: 'balanced',
  },
  {
    id: 'best',
    title: TIER_NAMES.premium,
    blurb: 'The highest-quality model for every task, whatever it costs.',
    tier: 'premium',
  },
];

interface State {
  settings: Settings | null;
  plans: SetupPlans | null;
  usage: Record<string, number>;
}

export class FirstRunManager {
  readonly #client: Client;
  readonly #now: () => number;
  readonly #state = resource(() => this.#fetch(), { settings: null, plans: null, usage: {} } as State);
  readonly #action = action();
  /** The download a step asks for is followed as the Models screen follows it: by the same manager. */
  readonly #models: ModelsManager;

  constructor(
    api: QuireApi = defaultApi,
    now: () => number = Date.now,
    models: ModelsManager = new ModelsManager(api),
  ) {
    this.#client = new Client(api);
    this.#now = now;
    this.#models = models;
  }

  /**
   * Shown until the writer closes it, or is past it (runs that answered; see #fetch); never before the settings have
   * arrived (no flash on later launches).
   */
  get visible(): boolean {
    const settings = this.#state.value.settings;
    return settings !== null && !settings.setup.done;
  }
  /** Whether it is known yet if the welcome shows (the settings arrived, or could not be read). */
  get settled(): boolean {
    return this.#state.value.settings !== null || this.#state.error !== null;
  }
  readonly choice = $derived<SetupChoice | null>(this.#state.value.settings?.setup.choice ?? null);
  get options(): SetupOption[] {
    const plans = this.#state.value.plans;
    if (!plans) return [];
    return OPTIONS.map((option) => ({ ...option, plan: planOf(option, plans) }));
  }
  readonly chosen = $derived<SetupOption | null>(this.options.find((option) => option.id === this.choice) ?? null);
  /** What the chosen option still needs; empty once it is set up. */
  readonly steps = $derived<SetupNeed[]>(this.chosen?.plan.needs ?? []);
  readonly ready = $derived<boolean>(this.chosen?.plan.ready ?? false);
  readonly usage = $derived<Record<string, number>>(this.#state.value.usage);
  readonly busy = $derived<boolean>(this.#action.busy);
  /** The last action's failure, in the host's words. */
  readonly error = $derived<string | null>(
    this.#action.error?.message.replace(/^[\w.]+: /, '') ?? this.#state.error?.message ?? null,
  );

  load(): Promise<boolean> {
    return this.#state.load();
  }

  /** Applies the choice: automatic selection on, its tier, and "nothing leaves this machine" for free and private. */
  choose(id: SetupChoice): Promise<boolean> {
    const option = OPTIONS.find((o) => o.id === id)!;
    return this.#act(async () => {
      await this.#client.call('settings:set', {
        orchestrator: { enabled: true, quality_tier: option.tier, force_local: id === 'private' },
        setup: { choice: id },
      });
    });
  }

  /** Goes back to the three choices. */
  change(): Promise<boolean> {
    return this.#act(() => this.#client.call('settings:set', { setup: { choice: null } }));
  }

  /**
   * Stores the key the step asks for and tests it at once (as Settings does): a key the provider refuses is taken out
   * again (the step only asks for a provider without one), so the setup never says "set up" on a key that cannot work.
   * A test that could not reach the provider keeps the key and says so in {@link note} (the writer may be offline).
   */
  addKey(provider: string, key: string): Promise<boolean> {
    this.#note = null;
    return this.#act(async () => {
      await this.#client.call('keys:set', { provider, api_key: key.trim(), allow_weak_storage: true });
      const test = await this.#client.call('keys:test', { provider });
      if (test.ok) return;
      if (test.reason === 'refused') {
        await this.#client.call('keys:delete', { provider });
        throw new Error(`The key was not saved: ${test.message} Check that you copied the whole key, and try again.`);
      }
      this.#note = `The key was saved, but Quire could not check it just now: ${test.message}`;
    });
  }

  #note = $state<string | null>(null);
  /** Said after a key was saved that could not be checked (no connection): kept, and worth knowing. */
  get note(): string | null {
    return this.#note;
  }

  /** Starts the download a step asks for (or tries it again); {@link downloadState} follows it from there. */
  download(catalogId: string): Promise<boolean> {
    return this.#models.download({ id: catalogId }, downloadScope(catalogId));
  }

  /** Where the download a step asks for stands: bytes arriving, being checked and test-loaded, failed (why, retry). */
  downloadState(catalogId: string): DownloadState {
    return this.#models.downloadState(catalogId);
  }

  /** The download is being asked for (its reply is on the way). */
  starting(catalogId: string): boolean {
    return this.#models.busy[downloadScope(catalogId)] !== undefined;
  }

  /** Why the download could not start, in the host's words; null once it has. */
  downloadError(catalogId: string): ErrorInfo | null {
    return this.#models.errorFor(downloadScope(catalogId));
  }

  /**
   * While the welcome is shown: the downloads already under way (started here before a reload, or on the Models
   * screen), their progress and failures as they come, and the plans asked again once one is installed (it has passed
   * its test load by then), so the welcome says the writer is set up.
   */
  listen(): () => void {
    void this.#models.loadDownloads();
    const offDownloads = this.#models.listen();
    const offDone = this.#client.subscribe({ 'download:done': () => void this.#state.load() });
    return () => {
      offDownloads();
      offDone();
    };
  }

  finish(): Promise<boolean> {
    return this.#act(() => this.#client.call('settings:set', { setup: { done: true } }));
  }

  /** Every choice changes what the plans show: they are asked for again. */
  #act(change: () => Promise<unknown>): Promise<boolean> {
    return this.#action.run(async () => {
      await change();
      await this.#state.load();
    });
  }

  async #fetch(): Promise<State> {
    const [settings, capabilities, recent] = await Promise.all([
      this.#client.call('settings:get'),
      this.#client.call('orchestrator:capabilities'),
      lastMonthRuns(runsPages(this.#client), this.#now()),
    ]);
    if (settings.setup.done) return { settings, plans: null, usage: {} };
    const { choice } = settings.setup;
    // The writer changed by hand in Settings what the choice set (its tier, keeping everything on this machine,
    // automatic selection): their settings are the setup now, and the welcome would say what is no longer so.
    if (choice && !matches(choice, settings)) return this.#close();
    // Runs that answered: the writer is past the welcome. Without a choice they set Quire up their own way (the welcome
    // stayed above the Workbench, launch after launch, offering a key they did not need); with one, once it is set up.
    const answered = recent.some((run) => run.status === 'completed');
    if (answered && !choice) return this.#close();
    const profile = pickProfile(
      capabilities,
      recentUsage(recent, this.#now()),
      recentTokens(recent, this.#now(), capabilities.models),
    );
    const plans = await this.#client.call('orchestrator:plan', priced(profile));
    const chosen = OPTIONS.find((option) => option.id === choice);
    if (answered && chosen && planOf(chosen, plans).ready) return this.#close();
    const { usage } = profile;
    return { settings, plans, usage };
  }

  /** The welcome closed for good, as its own buttons close it ("Not now", "Start writing", "Finish later"). */
  async #close(): Promise<State> {
    const closed = await this.#client.call('settings:set', { setup: { done: true } });
    return { settings: closed, plans: null, usage: {} };
  }

  reset(): void {
    this.#state.reset();
    this.#action.reset();
  }
}

/** What an option would use and needs: free and private has a plan of its own (local models only). */
function planOf(option: { id: SetupChoice; tier: QualityTier }, plans: SetupPlans): TierPlan {
  return option.id === 'private' ? plans.private : plans.tiers[option.tier];
}

/** The same as the catalog card's: a download that could not start says so on both. */
function downloadScope(catalogId: string): string {
  return `catalog:${catalogId}`;
}

/** The settings still are what the choice made them (FirstRunManager.choose). */
function matches(choice: SetupChoice, settings: Settings): boolean {
  const option = OPTIONS.find((o) => o.id === choice);
  const o = settings.orchestrator;
  return (
    option !== undefined && o.enabled && o.quality_tier === option.tier && o.force_local === (choice === 'private')
  );
}

export const firstRunManager = new FirstRunManager(defaultApi, Date.now, modelsManager);
