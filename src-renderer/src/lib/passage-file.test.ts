import { describe, expect, it } from 'vitest';
import { passageFileRefusal, passageFileText } from './passage-file';

describe('passageFileRefusal', () => {
  it('opens a text or Markdown file up to 900 KB as the passage', () => {
    expect(passageFileRefusal('chapter.md', 900_000)).toBeNull();
    expect(passageFileRefusal('Chapter.TXT', 10)).toBeNull();
  });

  it('sends a longer text to “A whole manuscript”, sized as the Finder and that picker size it', () => {
    expect(passageFileRefusal('novel.txt', 8_400_000)).toBe(
      '"novel.txt" is 8.4 MB; a passage opened here may be up to 900 KB. Open it under “A whole manuscript” above ' +
        '(up to 50 MB): Quire runs a long text in parts.',
    );
    expect(passageFileRefusal('huge.txt', 57_189_000)).toBe(
      '"huge.txt" is 57.2 MB; a passage opened here may be up to 900 KB. Even as a whole manuscript Quire opens up ' +
        "to 50 MB of text: is it the manuscript's text file?",
    );
    expect(passageFileRefusal('edge.md', 900_001)).toMatch(/^"edge\.md" is just over 900 KB;/);
  });

  it('names the kinds of file it opens', () => {
    expect(passageFileRefusal('draft.docx', 5)).toBe(
      '"draft.docx" is not a text or Markdown file. Open a .txt or .md file, or paste the passage.',
    );
  });
});

describe('passageFileText', () => {
  const bytes = (...parts: (string | number[])[]) =>
    new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));

  it('reads UTF-8 (without its byte-order mark) and Word\'s "Unicode text" (UTF-16), one line ending everywhere', () => {
    expect(passageFileText('a.md', bytes([0xef, 0xbb, 0xbf], 'Mara’s “door”.\r\nShut.\rGone.'))).toEqual({
      text: 'Mara’s “door”.\nShut.\nGone.',
    });
    const wide = Buffer.from('Mara’s “door”.\r\n', 'utf16le');
    expect(passageFileText('le.txt', bytes([0xff, 0xfe], [...wide]))).toEqual({ text: 'Mara’s “door”.\n' });
    expect(passageFileText('be.txt', bytes([0xfe, 0xff], [...Buffer.from(wide).swap16()]))).toEqual({
      text: 'Mara’s “door”.\n',
    });
  });

  it('refuses, as a manuscript is refused, what would show garbled: old Word smart quotes, a binary file, RTF', () => {
    // Windows-1252: “It was” dark– (0x93 … 0x94, 0x96) is not UTF-8; read as UTF-8 its quotes came out as �.
    expect(passageFileText('old.txt', bytes([0x93], 'It was', [0x94], ' dark', [0x96]))).toEqual({
      refusal:
        'old.txt is not UTF-8 text. Save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and open it again.',
    });
    expect(passageFileText('odd.txt', bytes([0xff, 0xfe, 0x00, 0xd8]))).toEqual({
      refusal:
        'odd.txt is not readable UTF-16 text. Save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and open it again.',
    });
    expect(passageFileText('x.md', bytes('A', [0], 'B'))).toEqual({
      refusal: 'x.md looks like a binary file, not text (it contains zero bytes).',
    });
    expect(passageFileText('r.txt', bytes('{\\rtf1\\ansi Night.}'))).toMatchObject({
      refusal: expect.stringMatching(/^r\.txt is a rich-text \(RTF\) document, not plain text\./),
    });
    expect(passageFileText('d.txt', bytes('PK\x03\x04word/'))).toMatchObject({
      refusal: expect.stringMatching(/^d\.txt is a Word, Pages or other packaged document/),
    });
    expect(passageFileText('e.md', bytes(' \n'))).toMatchObject({ refusal: expect.stringMatching(/^e\.md is empty/) });
  });
});
