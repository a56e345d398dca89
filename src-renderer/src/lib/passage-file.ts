// Why a file cannot be opened as the passage, in a writer's words, with the step that works instead: a text too long
// for one passage opens as a whole manuscript (split into parts where a model cannot read it at once).
import { bytesText, sizeOverText } from '$contract/bytes-text';
import { MAX_MANUSCRIPT_BYTES, MAX_PASSAGE_FILE_BYTES } from '$contract/constants';
import { isPackaged, isRichText, notPlainText, oneLineEnding, utf16Of } from '$contract/text-file';

/** Null when the file can be opened as the passage. */
export function passageFileRefusal(name: string, bytes: number): string | null {
  if (!/\.(txt|md|markdown)$/i.test(name)) {
    return `"${name}" is not a text or Markdown file. Open a .txt or .md file, or paste the passage.`;
  }
  if (bytes <= MAX_PASSAGE_FILE_BYTES) return null;
  const size = `"${name}" is ${sizeOverText(bytes, MAX_PASSAGE_FILE_BYTES)}; a passage opened here may be up to ${bytesText(MAX_PASSAGE_FILE_BYTES)}.`;
  return bytes <= MAX_MANUSCRIPT_BYTES
    ? `${size} Open it under “A whole manuscript” above (up to ${bytesText(MAX_MANUSCRIPT_BYTES)}): Quire runs a long text in parts.`
    : `${size} Even as a whole manuscript Quire opens up to ${bytesText(MAX_MANUSCRIPT_BYTES)} of text: is it the manuscript's text file?`;
}

/**
 * The passage in a file's bytes, read as a manuscript is (contract/text-file.ts), or why it is not opened: a browser
 * reads any bytes as UTF-8, so an old Word file's smart quotes (Windows-1252) came out as "�" and a "Unicode text" file
 * (UTF-16) as letters between stray characters, shown as if that were the writer's text.
 */
export function passageFileText(name: string, bytes: Uint8Array): { text: string } | { refusal: string } {
  const utf16 = utf16Of(bytes);
  if (isPackaged(bytes)) return { refusal: notPlainText.packaged(name) };
  if (!utf16 && bytes.includes(0)) return { refusal: notPlainText.binary(name) };
  let text: string;
  try {
    text = oneLineEnding(new TextDecoder(utf16 ?? 'utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { refusal: notPlainText.encoding(name, utf16 !== null) };
  }
  if (isRichText(text)) return { refusal: notPlainText.richText(name) };
  if (text.trim() === '') return { refusal: notPlainText.empty(name) };
  return { text };
}
