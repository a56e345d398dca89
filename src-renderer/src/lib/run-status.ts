// What a run's status means when the word alone is not plain.
import type { RunStatus } from '$contract/runs';

export const RUN_STATUS_HINT: Record<RunStatus, string | null> = {
  running: null,
  completed: null,
  failed: null,
  cancelled: null,
  interrupted:
    'Quire stopped (a crash or a forced quit) while this ran; the cost reserved for it still counts. Run it again.',
};
