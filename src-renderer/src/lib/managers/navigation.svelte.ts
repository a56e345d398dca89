// Which screen is shown; kept in the URL hash so a reload stays put, and moved by the app menu (Settings ⌘, / Spend).
import type { QuireApi } from '../../../../src-preload/api';
import { api as defaultApi } from '../api/client';

export const VIEWS = [
  { id: 'workbench', label: 'Workbench' },
  { id: 'spend', label: 'Spend' },
  { id: 'models', label: 'Models' },
  { id: 'settings', label: 'Settings' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];
/** A new writer lands where the work happens; the Workbench's empty state points to Settings and Models. */
const DEFAULT_VIEW: ViewId = 'workbench';

/** The part of the window navigation uses. */
export interface NavigationHost {
  readonly hash: string;
  /** Replaces the hash without a new history entry. */
  replaceHash(hash: string): void;
  /** Calls `listener` when the writer changes the hash (back, forward, a typed URL); returns the unsubscribe. */
  onHashChange(listener: () => void): () => void;
}

const windowHost: NavigationHost = {
  get hash() {
    // No location where the module is imported outside a page (unit tests give the manager their own host).
    return typeof location === 'undefined' ? '' : location.hash;
  },
  replaceHash: (hash) => history.replaceState(null, '', hash),
  onHashChange(listener) {
    window.addEventListener('hashchange', listener);
    return () => window.removeEventListener('hashchange', listener);
  },
};

function viewOf(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.find((view) => view.id === id)?.id ?? DEFAULT_VIEW;
}

export class NavigationManager {
  readonly #api: QuireApi;
  readonly #host: NavigationHost;
  #view = $state<ViewId>(DEFAULT_VIEW);

  constructor(api: QuireApi = defaultApi, host: NavigationHost = windowHost) {
    this.#api = api;
    this.#host = host;
    this.#view = viewOf(host.hash);
  }

  readonly view = $derived(this.#view);

  go(view: ViewId): void {
    this.#view = view;
    if (this.#host.hash !== `#/${view}`) this.#host.replaceHash(`#/${view}`);
  }

  /** Follows the hash and the app menu. */
  listen(): () => void {
    const offHash = this.#host.onHashChange(() => (this.#view = viewOf(this.#host.hash)));
    const offMenu = this.#api.on('app:navigate', ({ view }) => {
      const known = VIEWS.find((candidate) => candidate.id === view);
      if (known) this.go(known.id);
    });
    return () => {
      offHash();
      offMenu();
    };
  }

  reset(): void {
    this.#view = DEFAULT_VIEW;
  }
}

export const navigation = new NavigationManager();
