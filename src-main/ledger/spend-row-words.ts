// A spend row's status and note as an accountant reads them in the CSV: why the row counts what it does, in words.
// The ledger keeps the reason a call ended as the error code it ended with ("rate_limited", "usage unknown after
// cancelled"); those codes are for branching on, not for reading.
import type { ErrorCode } from '../../src-preload/contract/errors';
import type { LedgerEntry } from '../store/repos/ledger-repo';

/** Why a call ended without an answer, by the code it ended with (a cancelled call: below, by when it stopped). */
const REASONS: Record<Exclude<ErrorCode, 'cancelled'>, string> = {
  rate_limited: 'the provider was busy (its rate limit)',
  timeout: 'the provider took too long',
  provider_error: 'the provider answered with an error',
  unavailable: 'the provider could not be reached',
  circuit_open: 'the provider was paused after repeated failures',
  budget_exceeded: 'it would have gone past the budget',
  forbidden: 'the provider refused the key',
  not_found: 'the provider does not offer that model',
  invalid_input: 'the provider refused the request',
  payload_too_large: 'the request was too large for the provider',
  storage_error: 'Quire could not save to disk',
  local_model_error: 'the model on this Mac failed',
  download_error: 'an error inside Quire',
  conflict: 'an error inside Quire',
  unknown_channel: 'an error inside Quire',
  internal: 'an error inside Quire',
};

const KEPT = 'usage unknown after ';

function reason(code: string, sent: boolean): string | undefined {
  if (code === 'cancelled') return sent ? 'stopped after the request was sent' : 'stopped before it was sent';
  return Object.hasOwn(REASONS, code) ? REASONS[code as keyof typeof REASONS] : undefined;
}

/** A settled row kept at its hold: the provider never said what it billed (a cut stream, a stop, a timeout). */
export function keptAtMost(e: Pick<LedgerEntry, 'state' | 'input_tokens' | 'output_tokens' | 'reserved_micros'>) {
  return e.state === 'settled' && e.input_tokens === null && e.output_tokens === null && e.reserved_micros > 0;
}

/** The row's note in words; a note already in words (a crash, a tournament's unused retry) is kept as it is. */
export function noteWords(e: Pick<LedgerEntry, 'state' | 'note'>): string | null {
  const note = e.note;
  if (note === null) return null;
  if (e.state === 'released') {
    const why = reason(note, false);
    return why ? `${why}: nothing billed` : note;
  }
  if (note.startsWith(KEPT)) {
    const why = reason(note.slice(KEPT.length), true) ?? note.slice(KEPT.length);
    return `${why}; the provider reported no usage: counted at the most it could have cost`;
  }
  return note;
}
