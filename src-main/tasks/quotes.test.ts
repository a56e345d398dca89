import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../orchestrator/random';
import { quoteStillAt } from '../../src-renderer/src/lib/jump-to';
import { locateQuote, numberParagraphs, QuoteLocator, type QuoteSpan } from './quotes';

const BOOK = [
  'A note before the story.',
  '',
  '# Chapter 1: The Harbour',
  'Mara pushed the hair from her green eyes.',
  '',
  '"It’s late," said Tom — too loudly.',
  '',
  'CHAPTER TWO',
  '',
  'The storm came on Tuesday.',
  'It lasted   three days.',
].join('\n');

describe('numberParagraphs', () => {
  it('numbers chapters by headings and "Chapter N" lines and paragraphs by blank lines, with exact offsets', () => {
    const paragraphs = numberParagraphs(BOOK);
    expect(paragraphs.map((p) => [p.chapter, p.paragraph, BOOK.slice(p.start, p.end)])).toEqual([
      [0, 1, 'A note before the story.'],
      [1, 0, '# Chapter 1: The Harbour'],
      [1, 1, 'Mara pushed the hair from her green eyes.'],
      [1, 2, '"It’s late," said Tom — too loudly.'],
      [2, 0, 'CHAPTER TWO'],
      [2, 1, 'The storm came on Tuesday.\nIt lasted   three days.'],
    ]);
    expect(paragraphs[2]!.chapter_title).toBe('Chapter 1: The Harbour');
  });

  it('treats a text without headings as one chapter of paragraphs: chapter 1, as the library and runs in parts do', () => {
    const paragraphs = numberParagraphs('One.\n\nTwo.\r\n\r\nThree.');
    expect(paragraphs.map((p) => [p.chapter, p.chapter_title, p.paragraph])).toEqual([
      [1, null, 1],
      [1, null, 2],
      [1, null, 3],
    ]);
  });
});

describe('locateQuote', () => {
  const paragraphs = numberParagraphs(BOOK);

  it('finds an exact quote and gives Quire’s own location', () => {
    const hit = locateQuote(BOOK, paragraphs, 'her green eyes');
    expect(hit).toMatchObject({ match: 'exact', location: { chapter: 1, paragraph: 1 } });
    expect(BOOK.slice(hit.start!, hit.end!)).toBe('her green eyes');
    expect(hit.location!.label).toBe('Chapter 1: The Harbour, paragraph 1');
  });

  it('tolerates straightened quote marks, other dashes, collapsed whitespace and surrounding quotation marks', () => {
    const hit = locateQuote(BOOK, paragraphs, '“"It\'s late," said Tom - too loudly.”');
    expect(hit).toMatchObject({ match: 'tolerant', location: { chapter: 1, paragraph: 2 } });
    expect(BOOK.slice(hit.start!, hit.end!)).toBe('"It’s late," said Tom — too loudly.');
    const spaced = locateQuote(BOOK, paragraphs, 'It lasted three days.');
    expect(spaced).toMatchObject({
      match: 'tolerant',
      location: { chapter: 2, paragraph: 1, label: 'CHAPTER TWO, paragraph 1' },
    });
    expect(BOOK.slice(spaced.start!, spaced.end!)).toBe('It lasted   three days.');
  });

  it('marks an invented quote as not found, with no location', () => {
    expect(locateQuote(BOOK, paragraphs, 'her blue eyes flashed')).toEqual({
      quote: 'her blue eyes flashed',
      match: 'not_found',
      start: null,
      end: null,
      location: null,
    });
    expect(locateQuote(BOOK, paragraphs, '   ').match).toBe('not_found');
  });
});

describe('QuoteLocator', () => {
  const paragraphs = numberParagraphs(BOOK);

  it('gives the same locations as locating each quote on its own, reusing one locator for all of a text’s quotes', () => {
    const quotes = [
      'her green eyes',
      '“"It\'s late," said Tom - too loudly.”',
      'IT  LASTED\tTHREE days.',
      '  the STORM came on tuesday. it lasted three days.  ',
      'her blue eyes flashed',
      '   ',
    ];
    const locator = new QuoteLocator(BOOK);
    const once = quotes.map((q) => locator.locate(q, paragraphs));
    expect(once).toEqual(quotes.map((q) => locateQuote(BOOK, paragraphs, q)));
    // The same locator asked again (its folded text already made) answers the same.
    expect(quotes.map((q) => locator.locate(q, paragraphs))).toEqual(once);
    expect(once.map((h) => h.match)).toEqual(['exact', 'tolerant', 'tolerant', 'tolerant', 'not_found', 'not_found']);
    expect(once.map((h) => (h.start === null ? null : BOOK.slice(h.start, h.end!)))).toEqual([
      'her green eyes',
      '"It’s late," said Tom — too loudly.',
      'It lasted   three days.',
      'The storm came on Tuesday.\nIt lasted   three days.',
      null,
      null,
    ]);
    expect(once[3]!.location).toMatchObject({ chapter: 2, paragraph: 1 });
  });

  it('maps offsets back exactly across collapsed runs and ellipses anywhere in the text', () => {
    const text = 'Wait…  she said —— “NO”.\n\n\tThen — quiet… and the end…';
    const locator = new QuoteLocator(text);
    const span = (q: string) => {
      const s = locator.find(q);
      return s.start === null ? null : text.slice(s.start, s.end);
    };
    expect(span('wait... she said - "no".')).toBe('Wait…  she said —— “NO”.');
    // A run's folded unit maps back to the run's first unit: a quote ending on it ends there.
    expect(span('she said -')).toBe('she said —');
    expect(span('"no". then - quiet')).toBe('“NO”.\n\n\tThen — quiet');
    expect(span('quiet... AND THE END...')).toBe('quiet… and the end…');
    expect(span('end.')).toBe('end…');
    expect(span('...')).toBe('…');
    expect(span('quiet....')).toBeNull();
  });

  it('finds a quote whose accents are composed differently from the text’s (NFC against NFD), whole', () => {
    const text = 'Renée crossed the café. She ordered a crème brûlée.'.normalize('NFD');
    const locator = new QuoteLocator(text);
    const span = locator.find('Renée crossed the café'.normalize('NFC'));
    expect(span.match).toBe('exact');
    expect(text.slice(span.start!, span.end!)).toBe('Renée crossed the café'.normalize('NFD'));
    const back = new QuoteLocator(text.normalize('NFC')).find('crème brûlée'.normalize('NFD'));
    expect(text.normalize('NFC').slice(back.start!, back.end!)).toBe('crème brûlée'.normalize('NFC'));
    // Folded too: a copy that also differs in case is found, whole.
    const folded = locator.find('RENÉE CROSSED'.normalize('NFC'));
    expect(folded.match).toBe('tolerant');
    expect(text.slice(folded.start!, folded.end!)).toBe('Renée crossed'.normalize('NFD'));
    // The same accents composed the text's way are looked for first: never an earlier place that differs by one.
    const sea = 'Il a la mer devant lui.\n\nElle alla à la mer.'.normalize('NFD');
    const there = new QuoteLocator(sea).find('à la mer'.normalize('NFC'));
    expect(there).toMatchObject({ match: 'exact' });
    expect(sea.slice(there.start!, there.end!)).toBe('à la mer'.normalize('NFD'));
  });

  it('finds a Greek quote in lower case in a heading in capitals: a word-final sigma is a sigma', () => {
    const text = 'ΣΤΟ ΣΠΙΤΙ ΤΟΥΣ\n\nΗ Μαρία έφυγε.';
    const span = new QuoteLocator(text).find('στο σπίτι τους');
    expect(span.match).toBe('tolerant');
    expect(text.slice(span.start!, span.end!)).toBe('ΣΤΟ ΣΠΙΤΙ ΤΟΥΣ');
    expect(quoteStillAt(text, { quote: 'στο σπίτι τους', ...span })).toBe(true);
  });

  it('finds every quote where the Workbench then sees it still there, its text unchanged (seeded random texts)', () => {
    // The Workbench's jump (quoteStillAt) compares a quote with the words at its offsets: folded another way, a quote
    // Quire found could read "your text has changed here" in a text nobody touched.
    const random = mulberry32(7);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const units = [
      'a',
      'Σ',
      'σ',
      'ς',
      'Ά',
      'ΐ',
      'İ',
      'é',
      'e\u0301',
      'Ǆ',
      'ǅ',
      'K',
      '\u212a',
      '한',
      '’',
      '—',
      '…',
      ' ',
      ',',
    ];
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      const text = Array.from({ length: 2 + Math.floor(random() * 12) }, () => pick(units)).join('');
      const locator = new QuoteLocator(text);
      for (let q = 0; q < 6; q++) {
        const from = Math.floor(random() * text.length);
        const quote = alter(text.slice(from, from + 1 + Math.floor(random() * 8)), random);
        const span = locator.find(quote);
        if (span.start === null) continue;
        checked++;
        expect(quoteStillAt(text, { quote, ...span }), JSON.stringify({ text, quote })).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('finds every quote exactly where folding the text one code unit at a time finds it (seeded random texts)', () => {
    const random = mulberry32(12);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const units = [
      'a',
      'B',
      'z',
      'Q',
      ' ',
      '  ',
      '\n',
      '\n\n',
      '\t',
      '\u00a0',
      '\u3000',
      '-',
      '--',
      '—',
      '–',
      '\u2212',
      '…',
      '.',
      '"',
      "'",
      '`',
      '“',
      '”',
      '‘',
      '’',
      '«',
      '»',
      'É',
      'é',
      // Accents written as a letter and a combining mark (NFD, as some Mac tools save text), and a mark on its own.
      'e\u0301',
      'E\u0301\u0308',
      '\u0301',
      'Σ',
      'ς',
      'İ',
      'ß',
      '🙂',
      '\ud801\udc00',
      '\ud800',
      'x',
    ];
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 60) }, () => pick(units)).join('');
      const locator = new QuoteLocator(text);
      for (let q = 0; q < 8; q++) {
        const from = Math.floor(random() * text.length);
        let quote = text.slice(from, from + 1 + Math.floor(random() * 12));
        if (random() < 0.5) quote = alter(quote, random);
        expect(locator.find(quote), JSON.stringify({ text, quote })).toEqual(referenceFind(text, quote));
      }
    }
  });
});

/** A copy a model might make: case flipped, quote marks straightened, dashes and spaces changed. */
function alter(quote: string, random: () => number): string {
  return Array.from(quote)
    .map((c) => {
      const r = random();
      if (r < 0.2) return c.toUpperCase();
      if (r < 0.3) return c.toLowerCase();
      if (r < 0.4 && /\s/.test(c)) return '  ';
      if (r < 0.5 && /[—–-]/.test(c)) return '-';
      if (r < 0.6 && /[“”«»]/.test(c)) return '"';
      if (r < 0.7 && c === '…') return '...';
      return c;
    })
    .join('');
}

// A combining diacritical mark on its own (a class of marks is the point).
// eslint-disable-next-line no-misleading-character-class
const MARK = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/;

// The tolerant search written the plain way (one code unit at a time, with an offset for each folded unit), as the
// reference the locator's folding must agree with.
function referenceFold(text: string): { text: string; map: number[] } {
  let out = '';
  const map: number[] = [];
  const emit = (c: string, i: number) => {
    out += c;
    map.push(i);
  };
  const mark = (c: string | undefined) => c !== undefined && MARK.test(c);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    // A run is of units next to each other in the text: a mark between two spaces (or dashes) parts them.
    const run = !mark(text[i - 1]);
    if (/\s/.test(c)) {
      if (!run || !out.endsWith(' ')) emit(' ', i);
      continue;
    }
    if (c === '…') {
      for (let k = 0; k < 3; k++) emit('.', i);
      continue;
    }
    // Accents are not compared: a combining mark is left out, and a letter with its accents built in is its letter.
    if (mark(c)) continue;
    const parts = c.normalize('NFD');
    let f = parts.length > 1 && [...parts.slice(1)].every((p) => MARK.test(p)) ? parts[0]! : c;
    if (/[‘’‚‛′`]/.test(f)) f = "'";
    else if (/[“”„‟″«»]/.test(f)) f = '"';
    else if (/[‐‑‒–—―−]/.test(f)) f = '-';
    else if (f === 'ς') f = 'σ';
    else if (f.toLowerCase().length === 1) f = f.toLowerCase();
    if (/[\ud800-\udfff]/.test(f)) {
      const pairs = /[\ud800-\udbff]/.test(f)
        ? /[\udc00-\udfff]/.test(text[i + 1] ?? '')
        : /[\ud800-\udbff]/.test(text[i - 1] ?? '');
      if (!pairs) f = '\ufffd';
    }
    if (f === '-' && run && out.endsWith('-')) continue;
    emit(f, i);
  }
  map.push(text.length);
  return { text: out, map };
}

function referenceFind(text: string, quote: string): QuoteSpan {
  const wanted = quote.trim();
  if (wanted.length === 0) return { match: 'not_found', start: null, end: null };
  const unwrapped = /^["'“”‘’«»](.*)["'“”‘’«»]$/s.exec(wanted)?.[1]?.trim() || wanted;
  for (const candidate of [wanted, unwrapped].flatMap((c) => [c, c.normalize('NFC'), c.normalize('NFD')])) {
    const at = text.indexOf(candidate);
    if (at >= 0) return { match: 'exact', start: at, end: at + candidate.length };
  }
  const folded = referenceFold(text);
  for (const candidate of [referenceFold(wanted).text.trim(), referenceFold(unwrapped).text.trim()]) {
    const at = candidate.length > 0 ? folded.text.indexOf(candidate) : -1;
    if (at < 0) continue;
    // A quote that ends on a letter ends after its accents.
    let end = folded.map[at + candidate.length - 1]! + 1;
    while (MARK.test(text[end] ?? '')) end++;
    return { match: 'tolerant', start: folded.map[at]!, end };
  }
  return { match: 'not_found', start: null, end: null };
}
