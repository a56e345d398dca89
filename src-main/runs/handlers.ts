// runs:start is composed above runs and tournaments (src-main/app/run-start.ts): a critical task may become one.
import { removedModelName } from '../../src-preload/contract/model-ids';
import { runReport } from '../tasks/report';
import type { HandlerMap } from '../transport/dispatcher';
import type { RunService } from './run-service';
import { isQuireError } from '../errors';

export function runsHandlers({
  runs,
  taskName = (task) => task,
  modelName = removedModelName,
}: {
  runs: Pick<RunService, 'cancel' | 'list' | 'get' | 'rate' | 'stats' | 'editedText'>;
  /** A task's display name for the report (its title, the checks Ask Quire suggests). */
  taskName?: (task: string) => string;
  /** A model's display name for the report (as the Workbench names it); `knownAs`, a removed one's kept name. */
  modelName?: (id: string, knownAs?: string | null) => string;
}): Pick<
  HandlerMap,
  'runs:cancel' | 'runs:list' | 'runs:get' | 'runs:rate' | 'runs:stats' | 'runs:export' | 'runs:edited_text'
> {
  return {
    'runs:export': ({ run_id, rejected_edits }) => {
      const run = runs.get(run_id);
      return runReport(run, { taskName, modelName }, undefined, {
        rejectedEdits: rejected_edits,
        edited:
          run.answer?.kind === 'edits' ? editedOrNone(() => runs.editedText(run_id, rejected_edits, run)) : undefined,
      });
    },
    'runs:edited_text': ({ run_id, rejected_edits }) => runs.editedText(run_id, rejected_edits),
    'runs:cancel': ({ run_id }) => ({ cancelled: runs.cancel(run_id) }),
    'runs:list': (input) => ({ runs: runs.list(input ?? {}) }),
    'runs:get': ({ run_id }) => runs.get(run_id),
    'runs:rate': ({ run_id, rating }) => runs.rate(run_id, rating),
    'runs:stats': () => runs.stats(),
  };
}

/** The edited passage, or undefined when the run's passage was not kept as text (its report then lists the edits). */
function editedOrNone(edited: () => { text: string; edits: number }): { text: string; edits: number } | undefined {
  try {
    return edited();
  } catch (error) {
    if (isQuireError(error) && error.code === 'conflict') return undefined;
    throw error;
  }
}
