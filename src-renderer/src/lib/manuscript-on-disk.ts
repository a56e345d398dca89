// What the Workbench says about a manuscript on screen whose file or folder changed on disk since Quire opened it:
// runs use Quire's copy, so a writer who went on editing elsewhere must know before findings quote words they changed.
import type { Manuscript } from '$contract/manuscripts';
import { formatDateTime } from './format';

export interface OnDiskNotice {
  kind: 'warning' | 'info';
  message: string;
  next?: string;
  /** Opening its place again brings in the new words (a changed file or folder). */
  reopen: boolean;
}

/** Null while its source is as Quire read it, or when Quire cannot tell (nothing to compare with). */
export function onDiskNotice(
  manuscript: Pick<Manuscript, 'source_path' | 'source_kind' | 'created_at' | 'on_disk'>,
): OnDiskNotice | null {
  const name = `“${manuscript.source_path.split(/[/\\]/).filter(Boolean).at(-1) ?? manuscript.source_path}”`;
  switch (manuscript.on_disk) {
    case 'unchanged':
    case 'unknown':
      return null;
    case 'changed': {
      const since = `since Quire opened it (${formatDateTime(manuscript.created_at)})`;
      return {
        kind: 'warning',
        message:
          (manuscript.source_kind === 'folder'
            ? `The folder ${name} has changed ${since}: a chapter file was edited, added or removed.`
            : `${name} has changed ${since}.`) + ' Runs use the copy Quire opened.',
        reopen: true,
      };
    }
    case 'missing':
      return {
        kind: 'info',
        message: `Quire can’t find ${name} at its old place any more; runs use the copy Quire opened.`,
        next: 'If you moved or renamed it, open it from where it is now.',
        reopen: false,
      };
    default: {
      const unhandled: never = manuscript.on_disk;
      throw new Error(`Unhandled on_disk: ${String(unhandled)}`);
    }
  }
}
