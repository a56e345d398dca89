// Jump-to-location: selects a span of the passage's text box and scrolls it into view (about a third from the top).
export function showInTextarea(textarea: HTMLTextAreaElement, start: number, end: number): void {
  textarea.focus();
  textarea.setSelectionRange(start, end);
  const before = textarea.value.slice(0, start);
  const ratio = before.length / Math.max(1, textarea.value.length);
  textarea.scrollTop = Math.max(0, ratio * textarea.scrollHeight - textarea.clientHeight / 3);
}
