// A request that got no HTTP answer, in a writer's words: the step that fixes it depends on whose address it was.
import { describe, expect, it } from 'vitest';
import { connectionFailure } from './connection-failure';

/** Node's fetch failure as the SDKs wrap it: `Connection error.` ← `fetch failed` ← the DNS error. */
const notFound = (hostname: string) => ({
  message: 'Connection error.',
  cause: {
    message: 'fetch failed',
    cause: { code: 'ENOTFOUND', hostname, message: `getaddrinfo ENOTFOUND ${hostname}` },
  },
});

describe('connectionFailure: a name that does not resolve', () => {
  it('for a built-in provider the writer never typed, says to check the connection, not the spelling', () => {
    const failure = connectionFailure('OpenAI', notFound('api.openai.com'), 'https://api.openai.com/v1');
    expect(failure).toEqual({
      billing: 'none',
      message:
        'Quire could not find api.openai.com: this computer may be offline. Check the internet connection, then try ' +
        'again. Nothing was sent, so nothing was charged.',
    });
  });

  it('for an address the writer typed, names both likely causes', () => {
    const failure = connectionFailure('your endpoint “lan”', notFound('llm.lan'), 'http://llm.lan:8080/v1');
    expect(failure.message).toBe(
      'Quire could not find llm.lan: no such address is known. Check the address for a typo, and that this computer ' +
        'is online. Nothing was sent, so nothing was charged.',
    );
    expect(failure.billing).toBe('none');
  });
});
