// One rule for reading a text file's bytes, whether Quire opens it as a manuscript (src-main/manuscripts/
// text-decoding.ts) or the window opens it as the passage: UTF-8 (its byte-order mark dropped) or UTF-16 with its
// byte-order mark (what Word and Windows call "Unicode text"), one line ending everywhere, and the writer's words for
// a file that is not plain text. Anything else is refused, never shown with its letters garbled.

/** A byte-order mark of UTF-16: its zero bytes are text, not a binary file's. */
export function utf16Of(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** A ZIP container's signature ("PK\x03\x04"): .docx, .pages, .odt and .epub are ZIP files. */
export function isPackaged(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Rich text is plain text to a decoder: the writer's words would arrive wrapped in control words ({\rtf1\ansi…). */
export function isRichText(text: string): boolean {
  return /^\uFEFF?\s*\{\\rtf/.test(text);
}

/** "\r\n" and a lone "\r" (old Mac files) as "\n", so offsets mean the same on every machine. */
export function oneLineEnding(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Why the file `name` is not opened, in the writer's words with the step that fixes it. */
export const notPlainText = {
  packaged: (name: string) =>
    `${name} is a Word, Pages or other packaged document, not plain text. Save or export it as plain text (.txt) ` +
    'or Markdown (.md) and open that.',
  binary: (name: string) => `${name} looks like a binary file, not text (it contains zero bytes).`,
  encoding: (name: string, utf16: boolean) =>
    `${name} is not ${utf16 ? 'readable UTF-16' : 'UTF-8'} text. Save it as UTF-8 (in most editors: Save As → ` +
    'Encoding: UTF-8) and open it again.',
  richText: (name: string) =>
    `${name} is a rich-text (RTF) document, not plain text. Make it plain text (in TextEdit: Format → Make Plain ` +
    'Text), save it, and open it again.',
  empty: (name: string) =>
    `${name} is empty: there is no text in it. Check that you chose the right file and that its text was saved.`,
};
