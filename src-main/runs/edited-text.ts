// "Copy the edited text" of a line edit: the run's own passage, as it was sent, with the edits the writer accepted.
// Never the text on the Workbench now: opened from the History over another passage, those edits belong elsewhere.
import type { RunRecord } from '../../src-preload/contract/runs';
import { applicableEdits, applyEdits } from '../../src-preload/contract/tasks';
import { ConflictError } from '../errors';

/**
 * `request`: what the run was started with, as stored (its passage is `input`). `rejected`: the edits the writer
 * rejected, by their place in the answer; the rest that can be applied are.
 */
export function editedTextOf(
  record: Pick<RunRecord, 'answer'>,
  request: unknown,
  rejected: readonly number[] = [],
): { text: string; edits: number } {
  const answer = record.answer;
  if (answer?.kind !== 'edits')
    throw new ConflictError('This run proposed no edits, so there is no edited text to copy.', true);
  const input = typeof request === 'object' && request !== null ? (request as { input?: unknown }).input : undefined;
  if (typeof input !== 'string')
    throw new ConflictError(
      'Quire did not keep the passage this run was given, so its edits cannot be applied to it. Open the passage ' +
        'and run the line edit again.',
      true,
    );
  const accepted = applicableEdits(answer.edits, rejected, input);
  return { text: applyEdits(input, accepted), edits: accepted.length };
}
