// A manuscript file's bytes as its text: UTF-8 or UTF-16 (with its byte-order mark), one line ending everywhere.
// Refuses, in a writer's words, what is not plain text: a packaged document, a binary file, text in another encoding,
// rich text, an empty file. Decoded a stretch at a time, so a 48 MB file lets other calls run.
import { InvalidInputError } from '../errors';
import { inSlices, type Steps } from './slices';

export interface SourceFile {
  name: string;
  text: string;
}

/** Bytes decoded between two stops: a few milliseconds of work. */
const BYTES = 1 << 20;

/** A byte-order mark of UTF-16 (what Windows calls "Unicode" text): its zero bytes are text, not a binary file's. */
function utf16Of(bytes: Buffer): 'utf-16le' | 'utf-16be' | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

/** A ZIP container's signature: .docx, .pages, .odt and .epub are ZIP files. */
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** The text of the file `name` (as the writer knows it), decoded in slices. */
export function decodeText(name: string, bytes: Buffer): Promise<SourceFile> {
  return inSlices(decodeSteps(name, bytes));
}

function* decodeSteps(name: string, bytes: Buffer): Steps<SourceFile> {
  const utf16 = utf16Of(bytes);
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC))
    throw new InvalidInputError(
      `${name} is a Word, Pages or other packaged document, not plain text. Save or export it as plain text (.txt) ` +
        'or Markdown (.md) and open that.',
      'path',
    );
  if (!utf16 && bytes.includes(0))
    throw new InvalidInputError(`${name} looks like a binary file, not text (it contains zero bytes).`, 'path');
  const decoder = new TextDecoder(utf16 ?? 'utf-8', { fatal: true, ignoreBOM: false });
  const decode = (chunk?: Buffer): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new InvalidInputError(
        `${name} is not ${utf16 ? 'readable UTF-16' : 'UTF-8'} text. Save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and open it again.`,
        'path',
      );
    }
  };
  // One line ending everywhere, so offsets mean the same on every machine. A stretch's last "\r" waits for the next
  // one: its "\n" may begin it.
  const pieces: string[] = [];
  let held = '';
  for (let start = 0; start < bytes.length; start += BYTES) {
    const piece = held + decode(bytes.subarray(start, start + BYTES));
    held = piece.endsWith('\r') ? '\r' : '';
    pieces.push(piece.slice(0, piece.length - held.length).replace(/\r\n?/g, '\n'));
    yield;
  }
  pieces.push((held + decode()).replace(/\r\n?/g, '\n'));
  const text = pieces.join('');
  // Rich text is plain text to a decoder: the writer's words would arrive wrapped in control words ({\rtf1\ansi…).
  if (/^\uFEFF?\s*\{\\rtf/.test(text))
    throw new InvalidInputError(
      `${name} is a rich-text (RTF) document, not plain text. Make it plain text (in TextEdit: Format → Make Plain ` +
        'Text), save it, and open it again.',
      'path',
    );
  if (text.trim() === '')
    throw new InvalidInputError(
      `${name} is empty: there is no text in it. Check that you chose the right file and that its text was saved.`,
      'path',
    );
  return { name, text };
}
