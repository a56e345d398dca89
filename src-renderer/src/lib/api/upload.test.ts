// An upload that fails before the host could answer for it: the writer reads what happened and what to do, in their
// words; the browser's and the developer's (`npm run serve`, an HTTP status) go to the console.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uploadFile } from './upload';

/** The part of XMLHttpRequest uploadFile uses; `finish` plays how the request ended. */
class FakeXhr {
  static last: FakeXhr | null = null;
  status = 0;
  response: unknown = null;
  responseType = '';
  upload: { onprogress: ((event: { loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open() {}
  setRequestHeader() {}
  send() {}
  abort() {
    this.onabort?.();
  }
}

const file = Object.assign(new Blob(['Chapter 1.']), { name: 'Novel.txt' });

afterEach(() => vi.unstubAllGlobals());

async function upload(finish: (xhr: FakeXhr) => void) {
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const reply = uploadFile({ kind: 'manuscript', file });
  finish(FakeXhr.last!);
  const result = await reply;
  const logged = warn.mock.calls.flat().join(' ');
  warn.mockRestore();
  return { reply: result, logged };
}

describe('uploadFile', () => {
  it('a lost connection: says so with its own step, never the developer’s command', async () => {
    const { reply, logged } = await upload((xhr) => xhr.onerror!());
    expect(reply).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message:
          'The file did not reach Quire: this window lost its connection to Quire. Reload the page, then upload the ' +
          'file again; if it keeps happening, quit and reopen Quire.',
        retryable: true,
        advised: true,
      },
    });
    expect(logged).toMatch(/npm run serve/);
  });

  it('an answer that is not Quire’s: says the file may not have arrived, without the HTTP status', async () => {
    const { reply, logged } = await upload((xhr) => {
      xhr.status = 502;
      xhr.onload!();
    });
    expect(reply).toEqual({
      ok: false,
      error: {
        code: 'internal',
        message:
          'Quire’s answer to the upload could not be read, so the file may not have arrived. Reload the page to see ' +
          'whether it is there, and upload it again if it is not.',
        retryable: true,
        advised: true,
      },
    });
    expect(logged).toMatch(/502/);
  });

  it('the host’s own answer is passed on as it is', async () => {
    const envelope = { ok: false, error: { code: 'payload_too_large', message: 'Too long.', retryable: false } };
    const { reply } = await upload((xhr) => {
      xhr.status = 413;
      xhr.response = envelope;
      xhr.onload!();
    });
    expect(reply).toBe(envelope);
  });
});
