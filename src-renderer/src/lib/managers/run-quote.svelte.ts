// What Run will really do and the most it may spend: one model's call with its one retry, a run in parts, or for a
// critical task with tournaments on, every member (what the run reserves) — or, when no tournament can be seated,
// the reason and the writer's go-ahead before one model runs instead.
import type { QuireApi } from '../../../../src-preload/api';
import type { RunQuote, RunStart } from '$contract/runs';
import { api as defaultApi, Client } from '../api/client';
import { DueQuote } from '../due-quote.svelte';

export class RunQuoteManager {
  readonly #client: Client;
  readonly #quote = new DueQuote((request: RunStart): Promise<RunQuote> => this.#client.call('runs:quote', request));
  /** Set while the writer is asked whether one model should run instead of the tournament. */
  #asking = $state<string | null>(null);

  constructor(api: QuireApi = defaultApi) {
    this.#client = new Client(api);
  }

  readonly quote = $derived(this.#quote.value);
  /** The tournament's quote (every member), null when Run is one model. */
  get tournament() {
    const quote = this.#quote.value;
    return quote?.kind === 'tournament' ? quote : null;
  }
  /**
   * One model answers: the most the run may spend, its one retry of an unreadable answer included (also where a
   * tournament cannot be seated: what one model would cost instead, which the writer is asked about).
   */
  get single() {
    const answers = this.#oneModel;
    return answers?.kind === 'single' ? answers : null;
  }
  /** The passage is longer than the model reads at once: it runs in parts, quoted for all of them. */
  get job() {
    const answers = this.#oneModel;
    return answers?.kind === 'job' ? answers : null;
  }
  /** The quote of what one model would do: the quote itself, or where no tournament can be seated, its `instead`. */
  get #oneModel() {
    const quote = this.#quote.value;
    return quote?.kind === 'unseated' ? quote.instead : quote;
  }
  /** Where no tournament can be seated: the most one model would cost instead (null when not quoted). */
  get insteadUsd(): number | null {
    const quote = this.#quote.value;
    if (quote?.kind !== 'unseated' || !quote.instead) return null;
    return quote.instead.kind === 'single' ? quote.instead.at_most_usd : quote.instead.total_usd;
  }
  /** Why no tournament can be seated, null when one can (or none is due). */
  get unseated() {
    const quote = this.#quote.value;
    return quote?.kind === 'unseated' ? quote.reason : null;
  }
  readonly asking = $derived(this.#asking);
  /**
   * Why the run cannot be quoted (a passage the model cannot read with the task's instruction, say): the run would be
   * refused the same way, so the Workbench shows this instead of a card and Run stays off.
   */
  get error() {
    return this.#quote.error;
  }
  /** True while a quote is asked for: what is shown may be for the previous passage, task or length. */
  get loading(): boolean {
    return this.#quote.loading;
  }
  /**
   * The quote for what is on screen has landed: until then Run stays off, so the writer sees the most it may cost (a
   * tournament's every member) before anything is spent.
   */
  get ready(): boolean {
    return this.#quote.ready;
  }

  /** What Run would send changed: the quote on screen is the old one until the new one is asked for and lands. */
  expect(): void {
    this.#quote.expect();
  }

  /** Asks again for this request (the passage, task and options Run would send). */
  load(request: RunStart | null): Promise<boolean> {
    return this.#quote.load(request);
  }

  /**
   * Before Run: true when it may go ahead as quoted; false while its quote has not landed (a tournament may be due,
   * and its cost covers every member), or when the writer must first be asked (the question is then in `asking`),
   * because a tournament was due and cannot be seated.
   */
  mayRun(): boolean {
    if (!this.ready) return false;
    if (this.unseated === null) return true;
    this.#asking = this.unseated;
    return false;
  }

  /** The writer answered; the caller runs one model (`single: true`) only on a yes. */
  answered(): void {
    this.#asking = null;
  }

  reset(): void {
    this.#quote.reset();
    this.#asking = null;
  }
}

export const runQuoteManager = new RunQuoteManager();
