// Jump-to-location: selects a span of the passage's text box and scrolls it into view (about a third from the top).
export function showInTextarea(textarea: HTMLTextAreaElement, start: number, end: number): void {
  textarea.focus();
  textarea.setSelectionRange(start, end);
  const before = textarea.value.slice(0, start);
  const ratio = before.length / Math.max(1, textarea.value.length);
  textarea.scrollTop = Math.max(0, ratio * textarea.scrollHeight - textarea.clientHeight / 3);
}

// Combining accents written after their letter ("e" + U+0301), left out as Quire's quote finder leaves them out.
// eslint-disable-next-line no-misleading-character-class
const MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;

/**
 * A text as Quire's quote finder compares it (src-main/tasks/quotes.ts): letter case, accents, quote marks, dashes,
 * ellipses and runs of spaces do not count.
 */
function folded(text: string): string {
  return text
    .normalize('NFD')
    .replace(MARKS, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032`]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\u2026/g, '...')
    .replace(/-{2,}/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Whether `text` (the passage on screen) still holds a run's quote where the run found it, its offsets moved by
 * `offset`: a passage edited since, or another one opened, has other words there, which a jump would select as if
 * they were the quote.
 */
export function quoteStillAt(
  text: string,
  quote: { quote: string; start: number | null; end: number | null },
  offset = 0,
): boolean {
  if (quote.start === null || quote.end === null) return false;
  const there = folded(text.slice(offset + quote.start, offset + quote.end));
  if (there === '') return false;
  // A model's copy may come wrapped in quotation marks that are not part of the text.
  const copy = folded(quote.quote);
  return there === copy || there === copy.replace(/^["']+|["']+$/g, '').trim();
}
