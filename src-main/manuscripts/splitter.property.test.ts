// Property test over seeded random inputs and budgets (fast-check is not installed): the split covers the text
// completely and in order, no part exceeds its budget, and the parts concatenated give the input back.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../orchestrator/random';
import { BudgetTooSmallError, splitIntoParts, type CountText } from './splitter';
import { parseStructure } from './structure';

/** Random manuscripts with headings, scene breaks, huge paragraphs, unpunctuated runs, emoji and CJK. */
function randomText(random: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const word = () =>
    pick(['mara', 'harbour', 'the', 'a', 'letter', '灯台', 'café', '🙂', 'x'.repeat(1 + Math.floor(random() * 30))]);
  const sentence = () =>
    Array.from({ length: 1 + Math.floor(random() * 15) }, word).join(random() < 0.1 ? '' : ' ') +
    pick(['.', '!', '?', '…', '."', '', ' ']);
  const blocks: string[] = [];
  const n = Math.floor(random() * 30);
  for (let i = 0; i < n; i++) {
    const r = random();
    if (r < 0.08) blocks.push(`# Chapter ${i}`);
    else if (r < 0.14) blocks.push(`Chapter ${i}`);
    else if (r < 0.2) blocks.push(pick(['***', '* * *', '#']));
    else {
      const sentences = random() < 0.1 ? 30 + Math.floor(random() * 40) : 1 + Math.floor(random() * 6);
      blocks.push(Array.from({ length: sentences }, sentence).join(pick([' ', '\n', '  '])));
    }
  }
  const gap = () => pick(['\n\n', '\n\n\n', '\n \n', '\r\n\r\n'.replace(/\r/g, ''), '\n\t\n']);
  return (random() < 0.3 ? gap() : '') + blocks.join(gap()) + (random() < 0.5 ? '\n' : '');
}

/** Counters that are not additive, like real tokenizers: cutting text can add or save tokens. */
const counters: Record<string, CountText> = {
  chars: (t) => t.length,
  words: (t) => t.split(/\s+/).filter(Boolean).length + (/\s$/.test(t) ? 1 : 0),
  rough: (t) => Math.ceil(t.length / 4) + [...t].filter((c) => c.charCodeAt(0) > 127).length,
};

describe('the splitter (property: no silent truncation)', () => {
  it('covers every input completely and in order, no part over budget, parts concatenate to the input', () => {
    const random = mulberry32(20260312);
    let cases = 0;
    for (let round = 0; round < 200; round++) {
      const text = randomText(random);
      const { blocks } = parseStructure(text);
      for (const [name, count] of Object.entries(counters)) {
        const budget = 1 + Math.floor(random() * (random() < 0.5 ? 40 : 600));
        let parts;
        try {
          parts = splitIntoParts(text, blocks, count, budget);
        } catch (error) {
          // Only a budget below one character's count may be refused, never silently cut.
          expect(error, `${name} budget ${budget}`).toBeInstanceOf(BudgetTooSmallError);
          expect([...text].some((c) => count(c) > budget)).toBe(true);
          continue;
        }
        cases++;
        expect(parts.map((p) => text.slice(p.start, p.end)).join('')).toBe(text);
        // Plain checks in the loop (an expect per part would dominate the run time); one expect per case.
        const wrong: string[] = [];
        let at = 0;
        parts.forEach((p, i) => {
          if (p.index !== i || p.start !== at || p.end <= p.start) wrong.push(`part ${i} is not contiguous`);
          if (p.tokens !== count(text.slice(p.start, p.end))) wrong.push(`part ${i} miscounted`);
          if (p.tokens > budget) wrong.push(`${name}: part ${i} has ${p.tokens} > ${budget}`);
          at = p.end;
        });
        expect(wrong).toEqual([]);
        expect(at).toBe(text.length);
        // Every block lies in the parts that name it (first holder starts before it, last ends after it).
        const first = new Map<number, number>();
        const last = new Map<number, number>();
        for (const p of parts)
          for (let b = p.firstBlock; b <= p.lastBlock; b++) {
            if (!first.has(b)) first.set(b, p.start);
            last.set(b, p.end);
          }
        const uncovered = blocks.filter((b, i) => !(first.get(i)! <= b.start) || !(last.get(i)! >= b.end));
        expect(uncovered).toEqual([]);
      }
    }
    expect(cases).toBeGreaterThan(500);
  });

  it('cuts at chapter boundaries first, then scenes, then paragraphs, then sentences', () => {
    const chapter = (n: number) => `# Chapter ${n}\n\nOne two three.\n\n* * *\n\nFour five six.`;
    const text = [1, 2, 3].map(chapter).join('\n\n');
    const { blocks } = parseStructure(text);
    const words: CountText = (t) => t.split(/\s+/).filter(Boolean).length;
    const at = (budget: number) =>
      splitIntoParts(text, blocks, words, budget).map((p) => text.slice(p.start, p.end).trim());
    expect(at(12)).toEqual([chapter(1), chapter(2), chapter(3)]);
    expect(at(7)[0]).toBe('# Chapter 1\n\nOne two three.');
    expect(at(7)[1]).toBe('* * *\n\nFour five six.');
    const long = `# Chapter 1\n\n${'Alpha beta gamma. '.repeat(20).trim()}`;
    const sentences = splitIntoParts(long, parseStructure(long).blocks, words, 7);
    expect(sentences.slice(1).every((p) => /(^|\.\s*)$/.test(long.slice(p.start, p.end)))).toBe(true);
    expect(sentences.length).toBeGreaterThan(5);
  });

  it('cuts a long Japanese or Chinese paragraph at its sentence ends (。！？), which have no space after them', () => {
    const sentence = '彼女は灯台の下で古い手紙を読んでいた。';
    const text = `${sentence.repeat(30)}「本当に？」${sentence.repeat(30)}`;
    const parts = splitIntoParts(text, parseStructure(text).blocks, (t) => t.length, 300);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => text.slice(p.start, p.end)).join('')).toBe(text);
    for (const part of parts.slice(0, -1)) expect(text.slice(part.end - 1, part.end)).toMatch(/[。」]/);
  });

  it('never separates a letter from its accent or an emoji from its modifiers, even inside one long word', () => {
    const text = `${'e\u0301'.repeat(200)}${'👍🏽'.repeat(100)}`;
    const parts = splitIntoParts(text, parseStructure(text).blocks, (t) => t.length, 257);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => text.slice(p.start, p.end)).join('')).toBe(text);
    for (const part of parts.slice(1)) expect(text.codePointAt(part.start)).not.toBeOneOf([0x301, 0x1f3fd]);
    // Hundreds of accents stacked on one letter are no character a writer typed: still cut, never refused.
    const zalgo = `a${'\u0301'.repeat(600)}`;
    expect(splitIntoParts(zalgo, parseStructure(zalgo).blocks, (t) => t.length, 257).length).toBeGreaterThan(1);
  });
});
