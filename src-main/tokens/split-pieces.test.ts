// The scanners must cut every text exactly where gpt-tokenizer's split regexes cut it: the counts rest on it.
import { CL100K_TOKEN_SPLIT_REGEX, O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../orchestrator/random';
import { novel, randomTexts, textSamples } from '../../test/fixtures/text-samples';
import { cl100kPieces, o200kPieces, type PieceEnd } from './split-pieces';

const regexPieces = (regex: RegExp, text: string) =>
  [...text.matchAll(new RegExp(regex.source, regex.flags))].map((m) => m[0]);

function scannerPieces(end: PieceEnd, text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length;) {
    const e = end(text, i);
    pieces.push(text.slice(i, e));
    i = e;
  }
  return pieces;
}

/**
 * Characters at every edge the regexes care about: each case of letter (Lu, Ll, Lt, Lm, Lo), marks alone and after
 * letters, numbers of every kind (ASCII, Arabic-Indic, fractions, Roman, astral), every kind of space and newline,
 * the contraction suffixes in both cases, slashes, symbols, emoji and astral letters, and lone surrogates.
 */
const ALPHABET = [
  ...'aZzQ',
  'ǅ', // Lt
  'ʰ', // Lm
  'ー', // Lm (katakana long vowel)
  '潮',
  'の',
  'א', // Lo
  '\u0301',
  '\u0903',
  '\u20dd', // Mn, Mc, Me
  ...'0789',
  '٣',
  '½',
  'Ⅻ',
  '𝟘', // Nd astral
  ' ',
  '\t',
  '\n',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u2028',
  '\u3000',
  '\ufeff',
  '\u200b', // not a space to \s
  "'",
  "'s",
  "'S",
  "'ll",
  "'LL",
  "'ve",
  "'Re",
  "'d",
  "'m",
  "'t",
  "'x",
  '’',
  '/',
  '//',
  '.',
  ',',
  '!',
  '-',
  '_',
  '=',
  '<|',
  '|>',
  '—',
  '“',
  '😀',
  '👨‍👩‍👧',
  '🏳️‍🌈',
  '𠀀', // Lo astral
  '𝐀', // Lu astral (mathematical bold)
  '𝐚', // Ll astral
  '\ufeffusing',
  '\ud800', // lone high surrogate
  '\udc00', // lone low surrogate
];

const cases: [string, PieceEnd, RegExp][] = [
  ['o200k', o200kPieces(), O200K_TOKEN_SPLIT_REGEX],
  ['cl100k', cl100kPieces(), CL100K_TOKEN_SPLIT_REGEX],
];

describe.each(cases)('%s pieces', (_name, end, regex) => {
  it('are the split regex’s pieces on every class of text', () => {
    for (const seed of [1, 2]) {
      for (const [name, text] of Object.entries(textSamples(seed, 3000))) {
        expect(scannerPieces(end, text), `${name} (seed ${seed})`).toEqual(regexPieces(regex, text));
      }
    }
    const book = novel(50_000);
    expect(scannerPieces(end, book)).toEqual(regexPieces(regex, book));
  });

  it('are the split regex’s pieces on random texts over every edge, short and long', () => {
    for (const [seed, n, fragments] of [
      [1, 3000, 6],
      [2, 1000, 40],
      [3, 200, 400],
    ] as const) {
      for (const text of randomTexts(seed, n, fragments, ALPHABET)) {
        expect(scannerPieces(end, text), JSON.stringify(text)).toEqual(regexPieces(regex, text));
      }
    }
  });

  it('are the split regex’s pieces on texts of single characters from the whole of Unicode', () => {
    const random = mulberry32(7);
    for (let t = 0; t < 300; t++) {
      let text = '';
      for (let k = 0; k < 40; k++) {
        const r = random();
        // Mostly the BMP, some astral; spaces and apostrophes often enough to meet every other class.
        if (r < 0.15) text += ' ';
        else if (r < 0.2) text += "'";
        else if (r < 0.25) text += '\n';
        else if (r < 0.85) text += String.fromCharCode(Math.floor(random() * 0x10000));
        else text += String.fromCodePoint(0x10000 + Math.floor(random() * 0x20000));
      }
      expect(scannerPieces(end, text), JSON.stringify(text)).toEqual(regexPieces(regex, text));
    }
  });
});
