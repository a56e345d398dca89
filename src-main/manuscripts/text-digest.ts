// What a manuscript's text is stored with besides itself: its words, and its SHA-256 (its identity: a run finds the
// manuscript whose text it was given by it). Taken a stretch at a time, so a 48 MB text lets other calls run.
import { createHash } from 'node:crypto';
import { inSlices, STRETCH, stretchEnd, type Steps } from './slices';

export interface TextDigest {
  words: number;
  sha256: string;
}

/** The text's words (runs of characters between spaces, tabs, line breaks) and SHA-256, in slices. */
export function digestText(text: string): Promise<TextDigest> {
  return inSlices(digestSteps(text, true));
}

/** The text's SHA-256 of its UTF-8 bytes, in slices. */
export async function hashText(text: string): Promise<string> {
  return (await inSlices(digestSteps(text, false))).sha256;
}

function* digestSteps(text: string, counting: boolean): Steps<TextDigest> {
  const hash = createHash('sha256');
  let words = 0;
  let inWord = false;
  for (let start = 0; start < text.length;) {
    // Cut between whole characters: half a surrogate pair would be hashed as U+FFFD, not as the character.
    const end = stretchEnd(text, start, STRETCH);
    hash.update(text.slice(start, end));
    if (counting) {
      for (let i = start; i < end; i++) {
        const c = text.charCodeAt(i);
        const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 0xa0;
        if (!space && !inWord) words++;
        inWord = !space;
      }
    }
    start = end;
    yield;
  }
  return { words, sha256: hash.digest('hex') };
}
