// Why a file cannot be opened as the passage, in a writer's words, with the step that works instead: a text too long
// for one passage opens as a whole manuscript (split into parts where a model cannot read it at once).
import { bytesText, sizeOverText } from '$contract/bytes-text';
import { MAX_MANUSCRIPT_BYTES, MAX_PASSAGE_FILE_BYTES } from '$contract/constants';

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
