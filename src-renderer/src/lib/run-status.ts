// How a run's status reads to the writer, and what it means when it is not plain.
import type { RunStatus } from '../../../src-preload/contract/runs';

export const RUN_STATUS_LABEL: Record<RunStatus, string> = {
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

export const RUN_STATUS_HINT: Record<RunStatus, string | null> = {
  running: null,
  completed: null,
  failed: null,
  cancelled: null,
  interrupted:
    'Quire stopped (a crash or a forced quit) while this ran; the cost reserved for it still counts. Run it again.',
};
