import { describe, expect, it } from 'vitest';
import { formatDateTime } from './format';
import { onDiskNotice } from './manuscript-on-disk';

const opened = '2026-12-04T10:12:00.000Z';
const file = { source_path: '/Users/me/Novel/Draft.md', source_kind: 'file' as const, created_at: opened };

describe('onDiskNotice', () => {
  it('says nothing while the file is as Quire read it, or when Quire cannot tell', () => {
    expect(onDiskNotice({ ...file, on_disk: 'unchanged' })).toBeNull();
    expect(onDiskNotice({ ...file, on_disk: 'unknown' })).toBeNull();
  });

  it('a changed file or folder: by its name, when Quire opened it, and the copy runs use; offers the new version', () => {
    expect(onDiskNotice({ ...file, on_disk: 'changed' })).toEqual({
      kind: 'warning',
      message: `“Draft.md” has changed since Quire opened it (${formatDateTime(opened)}). Runs use the copy Quire opened.`,
      reopen: true,
    });
    const folder = { source_path: 'C:\\Books\\The Harbour', source_kind: 'folder' as const, created_at: opened };
    expect(onDiskNotice({ ...folder, on_disk: 'changed' })?.message).toBe(
      `The folder “The Harbour” has changed since Quire opened it (${formatDateTime(opened)}): a chapter file was ` +
        'edited, added or removed. Runs use the copy Quire opened.',
    );
  });

  it('a missing file: runs use the copy Quire opened, and how to bring in the moved one; nothing to open again', () => {
    expect(onDiskNotice({ ...file, on_disk: 'missing' })).toEqual({
      kind: 'info',
      message: 'Quire can’t find “Draft.md” at its old place any more; runs use the copy Quire opened.',
      next: 'If you moved or renamed it, open it from where it is now.',
      reopen: false,
    });
  });
});
