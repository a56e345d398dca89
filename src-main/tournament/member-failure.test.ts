// A member call that threw instead of coming back as a failed run (RunService.call never should): the member's reason
// is in the words a single run says the same failure with, the thrown text only in the log.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../errors';
import type { GenerateRequest } from '../providers/spec';
import { cloudSpec } from '../../test/support/tournament-app';
import { callMember } from './member-call';

const spec = { ...cloudSpec('deepseek-c', 'deepseek', 8.5), display_name: 'DeepSeek C' };
const request: GenerateRequest = { messages: [{ role: 'user', content: 'Chapter 3.' }], maxOutputTokens: 100 };

/** The member's outcome when its call throws `thrown`, and what went to the log. */
async function failed(thrown: unknown) {
  const logged: string[] = [];
  const calls = { call: () => Promise.reject(thrown) };
  const outcome = await callMember(
    { calls, provider: 'deepseek', logger: { warn: (line) => logged.push(line) } },
    spec,
    request,
    null,
    'tn_1/member/deepseek-c',
    'continuity_check',
    'quire',
    new AbortController().signal,
    () => {},
  );
  expect(outcome).toMatchObject({ ok: false, costUsd: 0 });
  return { error: outcome.error!, logged: logged.join('\n') };
}

describe('a member call that threw', () => {
  it("a provider's raw error: the words a single run says for it, the raw text only in the log", async () => {
    const raw = OpenAI.APIError.generate(
      500,
      { error: { message: 'boom: upstream_error at /v1/chat' } },
      undefined,
      new Headers(),
    );
    const { error, logged } = await failed(raw);
    expect(error).toEqual({
      code: 'provider_error',
      message: 'DeepSeek had a problem on its side (HTTP 500).',
      retryable: true,
    });
    expect(logged).toMatch(/upstream_error/);
  });

  it('a Quire error keeps its code and words', async () => {
    const { error } = await failed(
      new ProviderError('deepseek', 'DeepSeek refused the API key (HTTP 401).', { retryable: false, status: 401 }),
    );
    expect(error).toEqual({
      code: 'provider_error',
      message: 'DeepSeek refused the API key (HTTP 401).',
      retryable: false,
    });
  });

  it('a file Quire may not use: the system words a single run has for it', async () => {
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/Users/mara/quire.sqlite'"), {
      code: 'EACCES',
      syscall: 'open',
      path: '/Users/mara/quire.sqlite',
    });
    const { error, logged } = await failed(eacces);
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^Quire isn't allowed to open/) });
    expect(error.message).not.toMatch(/EACCES/);
    expect(logged).toMatch(/EACCES/);
  });

  it("anything else: Quire's words for an unexpected error, its own text only in the log", async () => {
    const { error, logged } = await failed(new TypeError("Cannot read properties of undefined (reading 'usage')"));
    expect(error).toEqual({ code: 'internal', message: 'Quire hit an unexpected error.', retryable: false });
    expect(logged).toMatch(/reading 'usage'/);
  });
});
