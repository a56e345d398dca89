// What a stopped download offers: Resume where going on can help (paused, a dropped connection, a full disk since
// cleared, a licence since accepted); "Download again" after a checksum mismatch (the file was deleted, and a transfer
// that went wrong may go right); nothing for a file that is not a model Quire can run (getting it again changes
// nothing). Cancel is always there, and removes the entry.
import type { DownloadInfo } from '$contract/models';

export function retryLabel(item: Pick<DownloadInfo, 'status' | 'error'>): 'Resume' | 'Download again' | null {
  if (item.status === 'paused') return 'Resume';
  if (item.status !== 'failed') return null;
  switch (item.error?.reason) {
    case 'invalid_file':
      return null;
    case 'checksum_mismatch':
      return 'Download again';
    default:
      return 'Resume';
  }
}
