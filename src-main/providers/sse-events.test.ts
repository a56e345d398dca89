// Quire reads a provider's event stream itself (sse-events.ts) where the official client used to: it must read every
// stream exactly as the client does. The client's own reader is the oracle: random streams (every line ending, comments,
// named events, data split over lines, multi-byte text, errors, bad JSON, a missing last blank line), cut into random
// byte chunks, must give the same chunks and the same failure.
import { Stream } from 'openai/core/streaming';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 as random } from '../orchestrator/random';
import { completionChunks } from './openai-compatible';
import { sseEvents } from './sse-events';

const TEXTS = ['The door', ' stays blue', ' — Mara’s eyes', ' 青い扉', ' 🙂🚪', ' e\u0301', ' "quoted"\n', ''];

/** A random event stream in OpenAI's chunk format, with the oddities a server may send. */
function randomStream(rand: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const eol = () => pick(['\n', '\n', '\r\n', '\r']);
  let out = '';
  const events = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < events; i++) {
    const chunk = {
      id: 'c',
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: { content: pick(TEXTS) }, finish_reason: rand() < 0.2 ? 'stop' : null }],
    };
    const roll = rand();
    if (roll < 0.1) out += `: keep-alive${eol()}`;
    if (roll > 0.9) out += `id: ${i}${eol()}retry: 10${eol()}`;
    if (rand() < 0.15) out += `event: ${pick(['message', 'delta', 'error'])}${eol()}`;
    const json =
      rand() < 0.05
        ? '{"broken": '
        : rand() < 0.05
          ? JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } })
          : JSON.stringify(chunk, null, rand() < 0.3 ? 1 : undefined);
    for (const line of json.split('\n')) out += `data:${rand() < 0.8 ? ' ' : ''}${line}${eol()}`;
    if (rand() < 0.95 || i < events - 1) out += eol();
  }
  if (rand() < 0.5) out += `data: [DONE]${eol()}${eol()}`;
  if (rand() < 0.2) out += `data: {"after": "done"}${eol()}${eol()}`;
  // The body may end mid-line, without its last line ending.
  return rand() < 0.15 ? out.replace(/[\r\n]+$/, '') : out;
}

/** The stream's bytes cut at random places (inside characters and line endings too). */
function response(text: string, rand: () => number): Response {
  const bytes = new TextEncoder().encode(text);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * (rand() < 0.5 ? 4 : 64));
    pieces.push(bytes.slice(at, at + size));
    at += size;
  }
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pieces.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

async function read(items: AsyncIterable<unknown>): Promise<{ items: unknown[]; error?: string }> {
  const out: unknown[] = [];
  try {
    for await (const item of items) out.push(item);
    return { items: out };
  } catch (error) {
    const e = error as Error;
    return { items: out, error: `${e.constructor.name}: ${e.message}` };
  }
}

describe('reading a provider event stream as the openai client does', () => {
  beforeEach(() => void vi.spyOn(console, 'error').mockImplementation(() => undefined));
  afterEach(() => vi.restoreAllMocks());

  it('gives the same chunks and failures as the client on 500 random streams in random byte chunks', async () => {
    let failures = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const text = randomStream(random(seed));
      const ours = await read(completionChunks(response(text, random(seed * 7))));
      const theirs = await read(Stream.fromSSEResponse(response(text, random(seed * 13)), new AbortController()));
      expect({ seed, ...ours }).toEqual({ seed, ...theirs });
      if (theirs.error) failures++;
    }
    // The streams exercise the failures too, not only the happy path.
    expect(failures).toBeGreaterThan(20);
  });

  it('ends a CR-terminated event at once, without waiting for the next chunk', async () => {
    let sendRest!: () => void;
    const rest = new Promise<void>((resolve) => (sendRest = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('data: {"a":1}\r\r'));
        await rest;
        controller.enqueue(new TextEncoder().encode('\ndata: {"b":2}\r\n\r\n'));
        controller.close();
      },
    });
    const events = sseEvents(body);
    expect((await events.next()).value).toEqual({ event: null, data: '{"a":1}' });
    sendRest();
    expect((await events.next()).value).toEqual({ event: null, data: '{"b":2}' });
    expect((await events.next()).done).toBe(true);
  });

  it('reads a chat stream to its end after [DONE], as the client does, rather than cancelling its body', async () => {
    let cancelled = false;
    const chunk = { id: 'c', object: 'chat.completion.chunk', choices: [] };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`));
        controller.enqueue(new TextEncoder().encode('data: {"after": "done"}\n\n'));
        controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    expect((await read(completionChunks(new Response(body)))).items).toEqual([chunk]);
    expect(cancelled).toBe(false);
  });

  it('cancels the body when the reader stops early, and ends quietly on abort', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\ndata: 2\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of sseEvents(body)) {
      expect(event.data).toBe('1');
      break;
    }
    expect(cancelled).toBe(true);

    const abort = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('data: 1\n\n'));
        abort.signal.addEventListener('abort', () => controller.error(abort.signal.reason));
      },
    });
    const seen: string[] = [];
    for await (const event of sseEvents(stalled, abort.signal)) {
      seen.push(event.data);
      abort.abort();
    }
    expect(seen).toEqual(['1']);
  });
});
