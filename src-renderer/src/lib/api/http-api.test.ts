// The browser host's side of a call when the host cannot be reached: the writer reads what happened and what to do,
// in their words; the browser's own text ("Failed to fetch") and the developer's command go to the console.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHttpApi } from './http-api';

afterEach(() => vi.unstubAllGlobals());

describe('createHttpApi', () => {
  it('says a lost connection in words, with its own step, and keeps the browser’s text for the console', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const reply = await createHttpApi('http://127.0.0.1:5173').invoke('settings:get', undefined as never);
    expect(reply).toEqual({
      ok: false,
      error: {
        code: 'unavailable',
        message:
          "Quire's window lost its connection to Quire. Reload the page; if it keeps happening, quit and reopen Quire.",
        retryable: true,
        advised: true,
      },
    });
    expect(warn.mock.calls.flat().join(' ')).toMatch(/Failed to fetch/);
    warn.mockRestore();
  });
});
