import { QuireError } from './quire-error';

/** What can be missing, each said in the writer's words (never by its id). */
export type NotFoundKind =
  | 'Manuscript'
  | 'Run'
  | 'Job'
  | 'Download'
  | 'Tournament'
  | 'Finding'
  | 'Model pack'
  | 'Endpoint'
  | 'Provider endpoint'
  | 'Provider'
  | 'Installed model'
  | 'Local model'
  | 'Catalog model'
  | 'Model';

const ENDPOINT = (id: string) =>
  `Your endpoint “${id.replace(/^endpoint:/, '')}” is no longer in Settings: it may have been removed. Refresh the list.`;

const WORDS: Record<NotFoundKind, (id: string) => string> = {
  Manuscript: () => 'That manuscript is no longer in your library. Refresh the list.',
  Run: () => 'That run is no longer in your history. Refresh the list.',
  Job: () => 'That run of the manuscript is no longer in your history. Refresh the list.',
  Download: () => 'That download is no longer in the list (it may have been cancelled). Refresh the list.',
  Tournament: () => 'That tournament is no longer in your history. Refresh the list.',
  Finding: () => 'That finding is no longer in this tournament. Open the tournament again and pick it there.',
  // Names the writer gave: shown, as the writer knows them.
  'Model pack': (name) =>
    `There is no model pack named “${name}”: it may have been deleted or renamed. Pick one from the list of packs.`,
  Endpoint: ENDPOINT,
  'Provider endpoint': ENDPOINT,
  Provider: () => 'Quire does not know that provider. Pick one from the list in Settings.',
  'Installed model': () => 'That model is no longer installed. Refresh the list.',
  'Local model': () => 'That model is no longer installed. Refresh the list.',
  'Catalog model': () => 'That model is no longer in Quire’s catalog. Refresh the list.',
  Model: () => 'That model is no longer in Quire’s catalog. Refresh the list.',
};

/** Something asked for by id is not there (removed elsewhere, or never was): said in words, the id kept for logs. */
export class NotFoundError extends QuireError {
  readonly what: NotFoundKind;
  readonly id: string;

  constructor(what: NotFoundKind, id: string) {
    super('not_found', WORDS[what](id), { advised: true });
    this.name = 'NotFoundError';
    this.what = what;
    this.id = id;
  }
}
