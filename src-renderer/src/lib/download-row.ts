// What a row of the Downloads list says and offers, from where the download stands (ModelsManager.downloadState): the
// list's own status is as old as its last read, and a download whose bytes have all arrived is being checked (SHA-256,
// the model header, a test load) before it is installed or refused, though the list still reads "downloading".
import type { DownloadInfo } from '$contract/models';
import type { DownloadState } from './managers/models.svelte';
import { retryLabel } from './download-retry';

export interface DownloadRow {
  /** Beside the name. */
  status: string;
  /** Under the bar, while it has no percentage to show or beside it. */
  bar: string | undefined;
  pause: boolean;
  retry: 'Resume' | 'Download again' | null;
  /** Cancel is off while the file is checked: it stops only at the next step, and the check is short. */
  cancel: boolean;
  /** Speed and time left are shown while bytes arrive. */
  live: boolean;
}

const STATUS: Record<DownloadInfo['status'], string> = {
  downloading: 'Downloading',
  paused: 'Paused',
  verifying: 'Checking the file…',
  failed: 'Failed',
};

export function downloadRow(item: DownloadInfo, state: DownloadState): DownloadRow {
  if (state.kind === 'checking' || item.status === 'verifying')
    return {
      status: STATUS.verifying,
      bar: `Checking ${item.name}… (its checksum, its model header and a test load)`,
      pause: false,
      retry: null,
      cancel: false,
      live: false,
    };
  const downloading = state.kind === 'downloading' && item.status === 'downloading';
  return {
    status: STATUS[item.status],
    bar: undefined,
    pause: downloading,
    retry: downloading ? null : retryLabel(item),
    cancel: true,
    live: downloading,
  };
}
