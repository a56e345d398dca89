import { describe, expect, it } from 'vitest';
import { deferred } from '../../../test/renderer/deferred';
import { ApiError } from './api/client';
import { DueQuote } from './due-quote.svelte';

interface Quote {
  for: string;
  at_most_usd: number;
}

/** A DueQuote whose every ask waits for the test to answer it; `asked` lists the requests in order. */
function quotedByHand() {
  const asks: { request: string; answer: ReturnType<typeof deferred<Quote>> }[] = [];
  const quote = new DueQuote((request: string) => {
    const answer = deferred<Quote>();
    asks.push({ request, answer });
    return answer.promise;
  });
  return { quote, asks };
}

/** {@link quotedByHand} with the quote for "chapter 1" ($0.02) landed and on screen. */
async function quotedOnce() {
  const hand = quotedByHand();
  const first = hand.quote.load('chapter 1');
  hand.asks[0]!.answer.resolve({ for: 'chapter 1', at_most_usd: 0.02 });
  await first;
  return hand;
}

const refused = new ApiError({
  code: 'invalid_input',
  message: 'The passage is empty: there is nothing to check.',
  retryable: false,
});

describe('DueQuote', () => {
  it('is ready only once the quote for what is on screen has landed', async () => {
    const { quote, asks } = quotedByHand();
    expect(quote.ready).toBe(false);
    const landed = quote.load('chapter 1');
    expect(quote.loading).toBe(true);
    expect(quote.ready).toBe(false);
    asks[0]!.answer.resolve({ for: 'chapter 1', at_most_usd: 0.02 });
    await expect(landed).resolves.toBe(true);
    expect(quote.value).toEqual({ for: 'chapter 1', at_most_usd: 0.02 });
    expect(quote.ready).toBe(true);
  });

  it('is not ready from the moment what the button would send changes until the new quote lands', async () => {
    const { quote, asks } = await quotedOnce();
    // The writer typed: the quote on screen is for the old passage, and the button waits (a typing pause).
    quote.expect();
    expect(quote.ready).toBe(false);
    expect(quote.value?.for).toBe('chapter 1');
    const second = quote.load('chapter 1, revised');
    expect(quote.ready).toBe(false);
    asks[1]!.answer.resolve({ for: 'chapter 1, revised', at_most_usd: 0.03 });
    await expect(second).resolves.toBe(true);
    expect(quote.value?.for).toBe('chapter 1, revised');
    expect(quote.ready).toBe(true);
  });

  it('never shows an earlier, slower quote over a later one', async () => {
    const { quote, asks } = quotedByHand();
    const older = quote.load('chapter 1');
    const newer = quote.load('chapter 2');
    asks[1]!.answer.resolve({ for: 'chapter 2', at_most_usd: 0.05 });
    asks[0]!.answer.resolve({ for: 'chapter 1', at_most_usd: 0.02 });
    await expect(newer).resolves.toBe(true);
    await expect(older).resolves.toBe(false);
    expect(quote.value?.for).toBe('chapter 2');
    expect(quote.ready).toBe(true);
  });

  it('shows no quote when the ask fails, only why: a quote for other inputs would name the wrong cost', async () => {
    const { quote, asks } = await quotedOnce();
    quote.expect();
    const second = quote.load('');
    asks[1]!.answer.reject(refused);
    await expect(second).resolves.toBe(false);
    expect(quote.value).toBeNull();
    expect(quote.error).toEqual(refused.info);
    expect(quote.ready).toBe(false);
  });

  it('forgets the last quote on load(null) (nothing to send yet), and an answer still on its way stays unseen', async () => {
    const { quote, asks } = await quotedOnce();
    const late = quote.load('chapter 2');
    quote.expect();
    await expect(quote.load(null)).resolves.toBe(false);
    expect(asks).toHaveLength(2); // nothing is asked for an empty request
    expect(quote.value).toBeNull();
    expect(quote.loading).toBe(false);
    expect(quote.ready).toBe(false);
    asks[1]!.answer.resolve({ for: 'chapter 2', at_most_usd: 0.05 });
    await late;
    expect(quote.value).toBeNull();
    // The next ask starts afresh.
    const next = quote.load('chapter 3');
    asks[2]!.answer.resolve({ for: 'chapter 3', at_most_usd: 0.01 });
    await expect(next).resolves.toBe(true);
    expect(quote.ready).toBe(true);
  });
});
