// A manuscript file's bytes as its text, by the rule a passage file is read with too (contract/text-file.ts): UTF-8 or
// UTF-16 (with its byte-order mark), one line ending everywhere. Refuses, in a writer's words, what is not plain text:
// a packaged document, a binary file, text in another encoding, rich text, an empty file. Decoded a stretch at a time,
// so a 48 MB file lets other calls run.
import { isPackaged, isRichText, notPlainText, oneLineEnding, utf16Of } from '../../src-preload/contract/text-file';
import { InvalidInputError } from '../errors';
import { inSlices, type Steps } from './slices';

export interface SourceFile {
  name: string;
  text: string;
}

/** Bytes decoded between two stops: a few milliseconds of work. */
const BYTES = 1 << 20;

/**
 * The text of the file `name` (as the writer knows it), decoded in slices. `emptyAllowed`: a folder's chapter not
 * written yet is a chapter with no text, not a reason to refuse the folder.
 */
export function decodeText(name: string, bytes: Buffer, emptyAllowed = false): Promise<SourceFile> {
  return inSlices(decodeSteps(name, bytes, emptyAllowed));
}

function* decodeSteps(name: string, bytes: Buffer, emptyAllowed: boolean): Steps<SourceFile> {
  const utf16 = utf16Of(bytes);
  if (isPackaged(bytes)) throw new InvalidInputError(notPlainText.packaged(name), 'path');
  if (!utf16 && bytes.includes(0)) throw new InvalidInputError(notPlainText.binary(name), 'path');
  const decoder = new TextDecoder(utf16 ?? 'utf-8', { fatal: true, ignoreBOM: false });
  const decode = (chunk?: Buffer): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new InvalidInputError(notPlainText.encoding(name, utf16 !== null), 'path');
    }
  };
  // One line ending everywhere, so offsets mean the same on every machine. A stretch's last "\r" waits for the next
  // one: its "\n" may begin it.
  const pieces: string[] = [];
  let held = '';
  for (let start = 0; start < bytes.length; start += BYTES) {
    const piece = held + decode(bytes.subarray(start, start + BYTES));
    held = piece.endsWith('\r') ? '\r' : '';
    pieces.push(oneLineEnding(piece.slice(0, piece.length - held.length)));
    yield;
  }
  pieces.push(oneLineEnding(held + decode()));
  const text = pieces.join('');
  if (isRichText(text)) throw new InvalidInputError(notPlainText.richText(name), 'path');
  if (text.trim() === '' && !emptyAllowed) throw new InvalidInputError(notPlainText.empty(name), 'path');
  return { name, text };
}
