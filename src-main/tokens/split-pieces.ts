// The pre-tokenizer split of OpenAI's o200k and cl100k encodings, written out as a scanner over character classes.
// The split regexes (gpt-tokenizer's O200K_TOKEN_SPLIT_REGEX and CL100K_TOKEN_SPLIT_REGEX) are most of the cost of a
// count: V8 runs their Unicode property classes and alternatives at about 10 MB/s on mixed text, and each match
// allocates an array and a string. The scanner finds the same pieces — each function below follows its regex's
// alternatives in order, with the backtracking a greedy quantifier does spelled out — at several times the speed,
// and hands back only where each piece ends. split-pieces.test.ts compares its pieces with the regexes' on texts of
// every character class, including random texts over letters of every case, marks, numbers, every kind of space,
// surrogates and the contraction suffixes.

/** [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]: o200k's upper-case side of a word (marks on both sides). */
const UPPER = 1;
/** [\p{Ll}\p{Lm}\p{Lo}\p{M}]: o200k's lower-case side of a word. */
const LOWER = 2;
/** \p{L} */
const LETTER = 4;
/** \p{N} */
const NUMBER = 8;
/** \s */
const SPACE = 16;
/** \r or \n */
const NEWLINE = 32;

/** A character that may come before a word: [^\r\n\p{L}\p{N}]. */
const NOT_BEFORE_WORD = NEWLINE | LETTER | NUMBER;
/** Punctuation and symbols: [^\s\p{L}\p{N}]. */
const NOT_SYMBOL = SPACE | LETTER | NUMBER;

const PROPERTIES: readonly [number, RegExp][] = [
  [UPPER, /[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]/u],
  [LOWER, /[\p{Ll}\p{Lm}\p{Lo}\p{M}]/u],
  [LETTER, /\p{L}/u],
  [NUMBER, /\p{N}/u],
  [SPACE, /\s/u],
  [NEWLINE, /[\r\n]/u],
];

function classify(character: string): number {
  let bits = 0;
  for (const [bit, test] of PROPERTIES) if (test.test(character)) bits |= bit;
  return bits;
}

/**
 * The classes of every character of the Basic Multilingual Plane, built once from the regexes' own property classes:
 * each class's global regex runs once over a string of all those characters. A lone surrogate is none of them.
 */
let bmp: Uint8Array | undefined;
function bmpClasses(): Uint8Array {
  if (bmp) return bmp;
  const table = new Uint8Array(0x10000);
  // Surrogates left out (a pair would read as one astral character); index i of the string is code unit units[i].
  const units = new Uint16Array(0x10000 - 0x800);
  for (let c = 0, i = 0; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) units[i++] = c;
  const all = new TextDecoder('utf-16le').decode(units);
  for (const [bit, test] of PROPERTIES) {
    // Runs, not characters: a property covers long ranges of code points, so there are few matches.
    const global = new RegExp(`${test.source}+`, 'gu');
    for (let m = global.exec(all); m !== null; m = global.exec(all)) {
      for (let i = m.index, end = i + m[0].length; i < end; i++) table[units[i]!] = table[units[i]!]! | bit;
    }
  }
  return (bmp = table);
}

/** Astral characters (emoji, rare ideographs, mathematical letters) are classified when first met. */
const astral = new Map<number, number>();
function astralClass(codePoint: number): number {
  let bits = astral.get(codePoint);
  if (bits === undefined) astral.set(codePoint, (bits = classify(String.fromCodePoint(codePoint))));
  return bits;
}

/**
 * A scanner over one text: `at(i)` reads the character at i (a surrogate pair is one character, as under the
 * regexes' `u` flag) and leaves its classes in `bits` and its UTF-16 length in `length`.
 */
class Reader {
  bits = 0;
  length = 1;
  private readonly table = bmpClasses();
  text = '';
  n = 0;

  at(i: number): void {
    const c = this.text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= this.n) {
      this.bits = this.table[c]!;
      this.length = 1;
      return;
    }
    const low = this.text.charCodeAt(i + 1);
    if (low < 0xdc00 || low > 0xdfff) {
      this.bits = this.table[c]!;
      this.length = 1;
      return;
    }
    this.bits = astralClass(((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
    this.length = 2;
  }

  /** Reads `text` from now on (a scanner is called again and again on the same text). */
  use(text: string): void {
    if (this.text === text) return;
    this.text = text;
    this.n = text.length;
  }

  /** The end of `\p{N}{1,3}` whose first digit ends at `after`. */
  digits(after: number): number {
    let end = after;
    for (let digits = 1; digits < 3 && end < this.n; digits++) {
      this.at(end);
      if ((this.bits & NUMBER) === 0) break;
      end += this.length;
    }
    return end;
  }

  /**
   * The end of ` ?[^\s\p{L}\p{N}]+` at i (whose character ends at `after`) and the line breaks after it (and
   * slashes, for o200k's `[\r\n/]*`), or -1 when no punctuation or symbol is there.
   */
  symbolPiece(i: number, after: number, slashes: boolean): number {
    const text = this.text;
    const symbol = text.charCodeAt(i) === 32 ? after : i;
    if (symbol >= this.n) return -1;
    this.at(symbol);
    if ((this.bits & NOT_SYMBOL) !== 0) return -1;
    let end = this.symbols(symbol);
    for (let c = text.charCodeAt(end); c === 10 || c === 13 || (slashes && c === 47); c = text.charCodeAt(++end));
    return end;
  }

  /** The end of the run of characters with any of `bits` from i. */
  run(i: number, bits: number): number {
    while (i < this.n) {
      this.at(i);
      if ((this.bits & bits) === 0) break;
      i += this.length;
    }
    return i;
  }

  /** The end of the run of punctuation and symbols ([^\s\p{L}\p{N}]) from i. */
  symbols(i: number): number {
    while (i < this.n) {
      this.at(i);
      if ((this.bits & NOT_SYMBOL) !== 0) break;
      i += this.length;
    }
    return i;
  }

  /** The end of a contraction suffix ('s 'd 'm 't 'll 've 're, either case) at i, or i. */
  contraction(i: number): number {
    const text = this.text;
    if (i + 1 >= this.n || text.charCodeAt(i) !== 39) return i;
    const c = text.charCodeAt(i + 1) | 0x20;
    if (c === 115 || c === 100 || c === 109 || c === 116) return i + 2;
    if (i + 2 >= this.n) return i;
    const d = text.charCodeAt(i + 2) | 0x20;
    if ((c === 108 && d === 108) || (c === 118 && d === 101) || (c === 114 && d === 101)) return i + 3;
    return i;
  }

  /** The end of `\s*[\r\n]`-style matches: after the last newline of the spaces [i, end), or -1 without one. */
  lastNewline(i: number, end: number): number {
    for (let k = end - 1; k >= i; k--) {
      const c = this.text.charCodeAt(k);
      if (c === 10 || c === 13) return k + 1;
    }
    return -1;
  }
}

/** Where one split piece starting at `i` ends. */
export type PieceEnd = (text: string, i: number) => number;

/**
 * o200k:
 *   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(contraction)?
 *   |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(contraction)?
 *   |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
 */
export function o200kPieces(): PieceEnd {
  const r = new Reader();
  /** The first alternative from j (after the optional prefix), or -1. */
  const upperThenLower = (j: number): number => {
    // [U]* takes the whole run; [W]+ then needs a lower-case character after it, or the run gives back characters
    // until the last one that is also lower-case (Lm, Lo, a mark), which [W]+ takes alone.
    let k = j;
    let lastLowerEnd = -1;
    while (k < r.n) {
      r.at(k);
      if ((r.bits & UPPER) === 0) break;
      k += r.length;
      if ((r.bits & LOWER) !== 0) lastLowerEnd = k;
    }
    if (k < r.n) {
      r.at(k);
      if ((r.bits & LOWER) !== 0) return r.contraction(r.run(k, LOWER));
    }
    return lastLowerEnd < 0 ? -1 : r.contraction(lastLowerEnd);
  };
  /** The second alternative from j, or -1. */
  const upperRun = (j: number): number => {
    const k = r.run(j, UPPER);
    return k === j ? -1 : r.contraction(r.run(k, LOWER));
  };
  return (text, i) => {
    r.use(text);
    r.at(i);
    const bits = r.bits;
    const after = i + r.length;
    if ((bits & NOT_BEFORE_WORD) === 0) {
      let end = upperThenLower(after);
      if (end < 0) end = upperThenLower(i);
      if (end < 0) end = upperRun(after);
      if (end < 0) end = upperRun(i);
      if (end >= 0) return end;
    } else if ((bits & LETTER) !== 0) {
      const end = upperThenLower(i);
      return end >= 0 ? end : upperRun(i);
    }
    if ((bits & NUMBER) !== 0) return r.digits(after);
    // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
    const symbols = r.symbolPiece(i, after, true);
    if (symbols >= 0) return symbols;
    // Spaces: `\s*[\r\n]+` ends after the last newline; `\s+(?!\S)` leaves the last space to the next piece.
    const spaces = r.run(i, SPACE);
    if (spaces === i) return after; // not reached: every character is a letter, number, symbol or space
    const newline = r.lastNewline(i, spaces);
    if (newline >= 0) return newline;
    return spaces === r.n || spaces - i === 1 ? spaces : spaces - 1;
  };
}

/**
 * cl100k:
 *   (contraction)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+$|\s*[\r\n]|\s+(?!\S)|\s
 */
export function cl100kPieces(): PieceEnd {
  const r = new Reader();
  return (text, i) => {
    r.use(text);
    const contraction = r.contraction(i);
    if (contraction > i) return contraction;
    r.at(i);
    const bits = r.bits;
    const after = i + r.length;
    if ((bits & LETTER) !== 0) return r.run(after, LETTER);
    if ((bits & NOT_BEFORE_WORD) === 0 && after < r.n) {
      r.at(after);
      if ((r.bits & LETTER) !== 0) return r.run(after, LETTER);
    }
    if ((bits & NUMBER) !== 0) return r.digits(after);
    // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
    const symbols = r.symbolPiece(i, after, false);
    if (symbols >= 0) return symbols;
    // Spaces: `\s+$`, then `\s*[\r\n]` (up to the last newline), `\s+(?!\S)`, `\s`.
    const spaces = r.run(i, SPACE);
    if (spaces === i) return after; // not reached: every character is a letter, number, symbol or space
    if (spaces === r.n) return spaces;
    const newline = r.lastNewline(i, spaces);
    if (newline >= 0) return newline;
    return spaces - i === 1 ? spaces : spaces - 1;
  };
}
