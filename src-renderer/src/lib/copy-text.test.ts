import { describe, expect, it } from 'vitest';
import { copyText, type CopyHost } from './copy-text';

/** A document whose copy command copies the selected text box's value (or refuses), recording what it copied. */
function fakeDocument(works: boolean | 'throws') {
  const copied: string[] = [];
  const boxes: { value: string; removed: boolean }[] = [];
  let selected: { value: string } | null = null;
  const doc = {
    activeElement: null,
    body: { appendChild: (node: unknown) => node },
    createElement: () => {
      const box = {
        value: '',
        removed: false,
        style: {},
        setAttribute: () => undefined,
        select: () => (selected = box),
        remove: () => (box.removed = true),
      };
      boxes.push(box);
      return box;
    },
    execCommand: (command: string) => {
      if (works === 'throws') throw new Error('not allowed');
      if (command === 'copy' && works && selected) copied.push(selected.value);
      return works;
    },
  } as unknown as CopyHost['document'];
  return { doc, copied, boxes };
}

describe('copyText', () => {
  it('uses the clipboard where the page has one and it agrees', async () => {
    const written: string[] = [];
    const { doc, copied } = fakeDocument(true);
    const ok = await copyText('The harbour lay quiet.', {
      clipboard: { writeText: async (text) => void written.push(text) },
      document: doc,
    });
    expect(ok).toBe(true);
    expect(written).toEqual(['The harbour lay quiet.']);
    expect(copied).toEqual([]);
  });

  it('falls back to the copy command where there is no clipboard (not a secure context)', async () => {
    const { doc, copied, boxes } = fakeDocument(true);
    expect(await copyText('The harbour lay quiet.', { clipboard: undefined, document: doc })).toBe(true);
    expect(copied).toEqual(['The harbour lay quiet.']);
    expect(boxes.every((box) => box.removed)).toBe(true);
  });

  it('falls back to the copy command where the clipboard refuses', async () => {
    const { doc, copied } = fakeDocument(true);
    const clipboard = { writeText: () => Promise.reject(new DOMException('Denied', 'NotAllowedError')) };
    expect(await copyText('Tobias trudged.', { clipboard, document: doc })).toBe(true);
    expect(copied).toEqual(['Tobias trudged.']);
  });

  it('says it did not copy when neither way works, so the page never says "Copied"', async () => {
    const refused = fakeDocument(false);
    expect(await copyText('x', { clipboard: undefined, document: refused.doc })).toBe(false);
    expect(refused.boxes.every((box) => box.removed)).toBe(true);
    const throwing = fakeDocument('throws');
    const clipboard = { writeText: () => Promise.reject(new Error('Denied')) };
    expect(await copyText('x', { clipboard, document: throwing.doc })).toBe(false);
    expect(throwing.boxes.every((box) => box.removed)).toBe(true);
  });
});
