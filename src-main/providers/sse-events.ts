// Server-sent events read straight off a streamed response's body, for the adapters' streams. The official clients
// still make the request (headers, auth, retries, errors before the stream); only the body is read here. Their own
// readers pass every event through several async generators, a byte buffer and a line decoder: on a loopback provider
// that was about a third of a millisecond per call, on every call Quire makes (it streams from the provider whenever
// it can, so a stalled one is noticed at its first-token deadline). The decoding is the clients' own rules, which the
// tests hold this reader to event for event: lines end at CRLF, LF or CR; `:` starts a comment; a field's value loses
// one leading space; `data` lines join with "\n"; a blank line ends an event that has a name or data; an event left
// open when the body ends is still delivered.

/** One event: its `event:` name (null when it had none) and its `data:` lines joined. */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * The events of `body` in wire order. Ends when the body does, or quietly when `signal` aborts (as the clients' readers
 * do: the caller then sees a stream that ended without its last event). Stopping early (a `break`, a throw in the
 * loop) cancels the body, which closes the connection.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  // A CR that ended the last chunk's last line: an LF opening the next chunk is the rest of that CRLF.
  let skipLf = false;
  let event: string | null = null;
  let data: string[] = [];
  /** Takes one line; a blank one ends the event under way, which is returned when it has a name or data. */
  const take = (line: string): SseEvent | null => {
    if (line === '') {
      if (event === null && data.length === 0) return null;
      const dispatched = { event, data: data.join('\n') };
      event = null;
      data = [];
      return dispatched;
    }
    if (line.charCodeAt(0) === COLON) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === SPACE) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    return null;
  };
  let closed = false;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (chunk.done) {
        closed = true;
        buffer += decoder.decode();
        break;
      }
      buffer += decoder.decode(chunk.value, { stream: true });
      let start = 0;
      if (skipLf && buffer.charCodeAt(0) === LF) start = 1;
      if (buffer.length > 0) skipLf = false;
      for (let end = lineEnd(buffer, start); end !== -1; end = lineEnd(buffer, start)) {
        const dispatched = take(buffer.slice(start, end));
        start = end + 1;
        if (buffer.charCodeAt(end) === CR) {
          if (buffer.charCodeAt(start) === LF) start++;
          else if (start === buffer.length) skipLf = true;
        }
        if (dispatched) yield dispatched;
      }
      buffer = buffer.slice(start);
    }
    if (signal?.aborted) return;
    // The body ended mid-line or mid-event (no last blank line): what arrived is still one line, one event.
    if (skipLf && buffer.charCodeAt(0) === LF) buffer = buffer.slice(1);
    if (buffer !== '') take(buffer);
    const last = take('');
    if (last) yield last;
  } finally {
    if (!closed) reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;

/** The index of the first CR or LF at or after `from`, or -1. */
function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
  }
  return -1;
}
