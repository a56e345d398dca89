import type { Settings } from './settings';

/** Every event main pushes to the renderer, by name, with its payload. */
export interface AppEvents {
  'settings:changed': Settings;
  /** The app menu asks the renderer to show a view (Settings ⌘, / Spend). */
  'app:navigate': { view: string };
}
