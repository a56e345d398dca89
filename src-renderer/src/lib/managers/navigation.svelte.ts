import { api } from '../api/client';

export const VIEWS = [
  { id: 'workbench', label: 'Workbench' },
  { id: 'spend', label: 'Spend' },
  { id: 'models', label: 'Models' },
  { id: 'settings', label: 'Settings' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];
/** A new writer lands where the work happens; the Workbench's empty state points to Settings and Models. */
const DEFAULT_VIEW: ViewId = 'workbench';

function fromHash(): ViewId {
  const id = location.hash.replace(/^#\/?/, '');
  return (VIEWS.find((view) => view.id === id)?.id ?? DEFAULT_VIEW) as ViewId;
}

/** Which screen is shown; kept in the URL hash so a reload stays put. */
export class NavigationManager {
  #view = $state<ViewId>(fromHash());

  get view() {
    return this.#view;
  }

  go(view: ViewId): void {
    this.#view = view;
    if (location.hash !== `#/${view}`) history.replaceState(null, '', `#/${view}`);
  }

  /** Follows the hash and the app menu (Settings ⌘, / Spend). */
  listen(): () => void {
    const onHash = () => (this.#view = fromHash());
    window.addEventListener('hashchange', onHash);
    const off = api.on('app:navigate', ({ view }) => {
      const known = VIEWS.find((candidate) => candidate.id === view);
      if (known) this.go(known.id);
    });
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  }

  reset(): void {
    this.#view = DEFAULT_VIEW;
  }
}

export const navigation = new NavigationManager();
