import { quoteIsAll } from '$contract/quote-find';

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
