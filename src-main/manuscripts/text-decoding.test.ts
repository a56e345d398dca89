// A file's bytes decoded a stretch at a time read as the whole file would: a line ending, a UTF-8 character or a
// UTF-16 pair cut by a stretch's end is read whole.
import { describe, expect, it } from 'vitest';
import { decodeText } from './text-decoding';

const MIB = 1 << 20;

describe('decodeText', () => {
  it('reads a line ending, an accented letter and an emoji cut by a stretch as the whole file would', async () => {
    for (const cut of ['\r\n', 'é', '😀']) {
      const head = 'a'.repeat(MIB - 1);
      const text = `${head}${cut}Mara.\r\nThe end.\r`;
      const { text: read } = await decodeText('Long.md', Buffer.from(text, 'utf8'));
      expect(read === text.replace(/\r\n?/g, '\n')).toBe(true);
    }
  });

  it('reads UTF-16 with its byte-order mark across stretches, and refuses bytes that are not UTF-8 after the first', async () => {
    const text = `${'b'.repeat(MIB / 2 - 2)}😀\r\nend`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect((await decodeText('Wide.txt', bytes)).text === text.replace('\r\n', '\n')).toBe(true);
    const bad = Buffer.concat([Buffer.from('c'.repeat(MIB + 10)), Buffer.from([0xc3, 0x28])]);
    await expect(decodeText('Bad.md', bad)).rejects.toThrow('Bad.md is not UTF-8 text.');
  });
});
