// The count of a text through its words, with a counter's own memory of them: each distinct word counted once, in
// JavaScript where the vocabulary's tokenizer is restated (spm-count.ts, llama3-count.ts), else by llama.cpp, and the
// words not seen before counted joined, grouped by how often they occur.
import { RangeMemo } from '../tokens/memo';
import type { CutRule } from './cut-rule';
import type { TextCount } from './spm-count';
import { LONG_WORD, forEachChunk, forEachWord, wordStart, wordText } from './word-walk';

/** Unseen words seen as often as at most this many others are tokenized (and remembered) one by one. */
const FEW_WORDS = 4;

/**
 * The count of wordTokenizer, with its own memory of words, counting with `js` where it can (it returns -1 where it
 * cannot) and with `native` (llama.cpp's count of a text) otherwise.
 */
export function wordCounter(cut: CutRule, native: (text: string) => number, js?: TextCount): (text: string) => number {
  const tokens = js
    ? (text: string) => {
        const counted = js(text, 0, text.length);
        return counted >= 0 ? counted : native(text);
      }
    : native;
  const memo = new RangeMemo();
  const firsts = new RangeMemo();
  /** Chunks after a cut between characters, counted without the space llama.cpp prepends to them. */
  const chunks = new RangeMemo();
  const prefix = cut.prefixTokens;
  return (text) => {
    let total = 0;
    // With the space prefix, a text's first word (when the text does not start with a space) is tokenized exactly as
    // the same word after a space is (llama.cpp puts back the ▁ taken off the later one): one memory for both.
    const firstAsLater = cut.spacePrefix && text.charCodeAt(0) !== 32;
    let last = -1;
    const unseen = new Map<string, number>();
    forEachWord(cut, text, (start, end) => {
      const counted = js && end - start > LONG_WORD ? js(text, wordStart(cut, start, start === 0), end) : -1;
      if (counted >= 0)
        total += counted; // the cuts between characters below are for llama.cpp's time only
      else if (prefix !== undefined && end - start > LONG_WORD) {
        // A long word (base64, a line of CJK or emoji without spaces) is cut between characters as well: llama.cpp's
        // time grows faster than the length of a run without spaces. Its first chunk is counted as the word would be.
        forEachChunk(cut, text, start, end, (from, to) => {
          const seen = from > start ? chunks : start === 0 ? firsts : memo;
          let known = seen.get(text, from, to);
          if (known < 0) {
            const chunk = text.slice(from, to);
            const counted = from > start ? tokens(chunk) - prefix : tokens(wordText(cut, chunk, start === 0));
            known = seen.set(chunk, 0, chunk.length, counted);
          }
          total += known;
        });
      } else if (start === 0) {
        // Tokenized as it is, with no space taken off, and on its own (it may be the last word too).
        const word = text.slice(0, end);
        const seen = firstAsLater ? memo : firsts;
        const key = firstAsLater ? ` ${word}` : word;
        let known = seen.get(key, 0, key.length);
        if (known < 0) known = seen.set(key, 0, key.length, tokens(wordText(cut, word, true)));
        total += known;
      } else if (end === text.length) last = start;
      else {
        let known = memo.get(text, start, end);
        if (known >= 0) total += known;
        else {
          known = js ? js(text, wordStart(cut, start, false), end) : -1;
          if (known >= 0) total += memo.set(text, start, end, known);
          else {
            const word = text.slice(start, end);
            unseen.set(word, (unseen.get(word) ?? 0) + 1);
          }
        }
      }
    });
    if (last >= 0) {
      let known = memo.get(text, last, text.length);
      if (known < 0) known = memo.set(text, last, text.length, tokens(wordText(cut, text.slice(last), false)));
      total += known;
    }
    const byOccurrences = new Map<number, string[]>();
    for (const [word, k] of unseen) {
      const group = byOccurrences.get(k);
      if (group) group.push(word);
      else byOccurrences.set(k, [word]);
    }
    for (const [k, words] of byOccurrences) {
      if (words.length <= FEW_WORDS) {
        for (const word of words) {
          let known = memo.get(word, 0, word.length);
          if (known < 0) known = memo.set(word, 0, word.length, tokens(wordText(cut, word, false)));
          total += k * known;
        }
      } else total += k * joinedCount(cut, words, native);
    }
    return total;
  };
}

/** Joined words are tokenized in texts of about this many UTF-16 units (each ends at the first word past it). */
const JOINED_TEXT = 8192;

/**
 * The count of `words` joined (they meet only at safe cuts), tokenized JOINED_TEXT units at a time: llama.cpp's
 * time per character grows with a text's length (on a byte-level BPE vocabulary, 70,000 digits cost about four times
 * what nine texts of 8,000 do), so the join is cut again at some of its words' edges.
 */
function joinedCount(cut: CutRule, words: readonly string[], tokens: (text: string) => number): number {
  let total = 0;
  let from = 0;
  let length = 0;
  for (let i = 0; i < words.length; i++) {
    length += words[i]!.length;
    if (length >= JOINED_TEXT || i === words.length - 1) {
      total += tokens(wordText(cut, words.slice(from, i + 1).join(''), false));
      from = i + 1;
      length = 0;
    }
  }
  return total;
}
