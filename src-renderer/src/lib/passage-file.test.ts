import { describe, expect, it } from 'vitest';
import { passageFileRefusal } from './passage-file';

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
