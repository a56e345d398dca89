import { QuoteFinder, quoteIsAll } from '$contract/quote-find';

// Jump-to-location: selects a span of the passage's text box and scrolls it into view (about a third from the top).
export function showInTextarea(textarea: HTMLTextAreaElement, start: number, end: number): void {
  textarea.focus();
  textarea.setSelectionRange(start, end);
  const before = textarea.value.slice(0, start);
  const ratio = before.length / Math.max(1, textarea.value.length);
  textarea.scrollTop = Math.max(0, ratio * textarea.scrollHeight - textarea.clientHeight / 3);
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
  // The rule that found the quote, so one Quire found in a text nobody touched is still there.
  return quoteIsAll(text.slice(offset + quote.start, offset + quote.end), quote.quote);
}

/** Occurrences of a quote looked at for the one nearest its old place: a word quoted alone can be in a book often. */
const MOST_PLACES = 200;

/**
 * Where a run's quote is in `text` (the passage on screen), as offsets of `text`: at its offsets while the words there
 * are still the quote, else the place nearest them where Quire's finder finds it (`moved`: the writer edited the text
 * above it, or opened a new version of the manuscript); null when it is nowhere. `finder`: one per text, for all of a
 * run's quotes (it folds the text once).
 */
export function quoteNow(
  text: string,
  quote: { quote: string; start: number | null; end: number | null },
  offset = 0,
  finder: QuoteFinder = new QuoteFinder(text),
): { start: number; end: number; moved: boolean } | null {
  if (quote.start === null || quote.end === null) return null;
  if (quoteStillAt(text, quote, offset)) return { start: offset + quote.start, end: offset + quote.end, moved: false };
  const was = offset + quote.start;
  let nearest: { start: number; end: number } | null = null;
  for (let from = 0, n = 0; from < text.length && n < MOST_PLACES; n++) {
    const span = finder.find(quote.quote, { start: from, end: text.length });
    if (span.match === 'not_found') break;
    if (!nearest || Math.abs(span.start - was) < Math.abs(nearest.start - was))
      nearest = { start: span.start, end: span.end };
    // Past its old place, later ones are only further away.
    if (span.start >= was) break;
    from = span.start + 1;
  }
  return nearest && { ...nearest, moved: true };
}
