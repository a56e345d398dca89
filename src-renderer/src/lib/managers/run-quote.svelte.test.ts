import { describe, expect, it } from 'vitest';
import type { RunStart } from '$contract/runs';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { singleQuote, tournamentQuote } from '../../../../test/renderer/fixtures';
import { RunQuoteManager } from './run-quote.svelte';

const request: RunStart = { task: 'continuity_check', input: 'Chapter 3. Her green eyes…' };

describe('RunQuoteManager: tournament-on runs tell the truth', () => {
  it('quotes every member of the tournament, as much as the run reserves', async () => {
    const fake = new FakeApi().answer(
      'runs:quote',
      tournamentQuote([
        ['a', 'A', 0.0012],
        ['b', 'B', 0.009],
      ]),
    );
    const manager = new RunQuoteManager(fake);
    await manager.load(request);
    expect(manager.tournament?.total_usd).toBe(0.0102);
    expect(manager.tournament?.members).toHaveLength(2);
    expect(manager.mayRun()).toBe(true);
    expect(fake.inputsOf('runs:quote')).toEqual([request]);
  });

  it('Run waits for the quote: nothing may run until the cost of every member is on screen', async () => {
    const fake = new FakeApi();
    const quotes = fake.hold('runs:quote');
    const manager = new RunQuoteManager(fake);
    expect(manager.mayRun()).toBe(false);
    const loaded = manager.load(request);
    expect(manager.ready).toBe(false);
    expect(manager.mayRun()).toBe(false);
    (await quotes.next()).resolve(
      tournamentQuote([
        ['a', 'A', 0.0012],
        ['b', 'B', 0.009],
      ]),
    );
    await loaded;
    expect(manager.ready).toBe(true);
    expect(manager.mayRun()).toBe(true);
    // The passage changed: the quote on screen is the old one until the new one lands.
    manager.expect();
    expect(manager.mayRun()).toBe(false);
    const again = manager.load({ ...request, input: 'Chapter 3. Her grey eyes…' });
    expect(manager.mayRun()).toBe(false);
    (await quotes.next()).resolve(
      tournamentQuote([
        ['a', 'A', 0.0013],
        ['b', 'B', 0.009],
      ]),
    );
    await again;
    expect(manager.mayRun()).toBe(true);
  });

  it('a tournament that cannot be seated asks before one model runs, saying why and what one model costs', async () => {
    const reason = 'Only 1 model can take part (at least 2 are needed).';
    const fake = new FakeApi().answer('runs:quote', { kind: 'unseated', reason, instead: singleQuote(0.004) });
    const manager = new RunQuoteManager(fake);
    await manager.load(request);
    expect(manager.tournament).toBeNull();
    expect(manager.single).toEqual(singleQuote(0.004));
    expect(manager.insteadUsd).toBe(0.004);
    expect(manager.mayRun()).toBe(false);
    expect(manager.asking).toBe(reason);
    manager.answered();
    expect(manager.asking).toBeNull();
  });

  it('one-model runs go ahead as decided, and no passage means no quote', async () => {
    const fake = new FakeApi().answer('runs:quote', singleQuote(0.004));
    const manager = new RunQuoteManager(fake);
    await manager.load(request);
    expect(manager.mayRun()).toBe(true);
    expect(manager.single).toEqual(singleQuote(0.004));
    expect(manager.tournament).toBeNull();
    await manager.load(null);
    expect(manager.quote).toBeNull();
    expect(fake.countOf('runs:quote')).toBe(1);
  });

  it('keeps the reason a run cannot be quoted, and forgets it with the next quote', async () => {
    const why = 'This passage is 32 tokens; Tiny Story can read 31 at once.';
    const fake = new FakeApi().fail('runs:quote', 'invalid_input', why);
    const manager = new RunQuoteManager(fake);
    expect(await manager.load(request)).toBe(false);
    expect(manager.error?.message).toBe(why);
    expect(manager.quote).toBeNull();
    fake.answer('runs:quote', singleQuote(0.004));
    await manager.load(request);
    expect(manager.error).toBeNull();
  });

  it('is loading from the ask until the answer lands, so the Workbench can say its quote is not current yet', async () => {
    const fake = new FakeApi();
    const held = fake.hold('runs:quote');
    const manager = new RunQuoteManager(fake);
    expect(manager.loading).toBe(false);
    const asked = manager.load(request);
    const call = await held.next();
    expect(manager.loading).toBe(true);
    call.resolve(singleQuote(0.004));
    await asked;
    expect(manager.loading).toBe(false);
    expect(manager.single?.at_most_usd).toBe(0.004);
  });
});
