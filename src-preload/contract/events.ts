import type { Settings } from './settings';
import type { ModelsEvents } from './models';
import type { ExecutionEvents } from './runs';
import type { TournamentEvents } from './tournaments';

/** Every event main pushes to the renderer, by name, with its payload. */
export interface AppEvents extends ModelsEvents, ExecutionEvents, TournamentEvents {
  'settings:changed': Settings;
  /** The app menu asks the renderer to show a view (Settings ⌘, / Spend). */
  'app:navigate': { view: string };
}
