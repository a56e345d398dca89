// What the shared errors say to a writer: no internal id, no library's own wording, and a message that carries its
// own step is marked advised so no general step is added after it.
import { describe, expect, it } from 'vitest';
import { contract } from '../../src-preload/contract';
import { InvalidInputError, NotFoundError, UnavailableError } from '.';

describe('NotFoundError', () => {
  it.each([
    ['Manuscript', 'ms_0b7c31', 'That manuscript is no longer in your library. Refresh the list.'],
    ['Run', 'run_6f1c2a', 'That run is no longer in your history. Refresh the list.'],
    ['Download', 'dl_gone', 'That download is no longer in the list (it may have been cancelled). Refresh the list.'],
  ] as const)('says a missing %s in words, without its id, with its step', (what, id, message) => {
    const error = new NotFoundError(what, id);
    expect(error.toInfo()).toEqual({ code: 'not_found', message, retryable: false, advised: true });
    // The id stays with the error for the log.
    expect(error.id).toBe(id);
  });

  it('names a model pack or an endpoint by the name the writer gave it', () => {
    expect(new NotFoundError('Model pack', 'nope').message).toBe(
      'There is no model pack named “nope”: it may have been deleted or renamed. Pick one from the list of packs.',
    );
    expect(new NotFoundError('Provider endpoint', 'endpoint:atlas').message).toBe(
      'Your endpoint “atlas” is no longer in Settings: it may have been removed. Refresh the list.',
    );
  });
});

describe('UnavailableError', () => {
  it('takes `advised` for a message that ends with its own step, and keeps its cause', () => {
    const cause = new Error('why');
    const error = new UnavailableError('Nothing was run; run it on one model instead.', { cause, advised: true });
    expect(error.toInfo()).toMatchObject({ code: 'unavailable', advised: true });
    expect(error.cause).toBe(cause);
    expect(new UnavailableError('No API key is set.').toInfo().advised).toBeUndefined();
  });
});

describe('InvalidInputError.fromZod', () => {
  const refused = (channel: keyof typeof contract, input: unknown) => {
    const parsed = contract[channel].input.safeParse(input);
    if (parsed.success) throw new Error('expected a refusal');
    return InvalidInputError.fromZod(parsed.error, input).toInfo();
  };

  it('says a pasted passage is too long in words, with its length and what to do instead', () => {
    const info = refused('runs:start', { task: 'scene_draft', input: 'x'.repeat(3_000_000) });
    expect(info).toEqual({
      code: 'invalid_input',
      path: 'input',
      message:
        'input: This passage is too long to paste (3,000,000 characters; up to 2,000,000). Open it as a manuscript ' +
        'instead.',
      retryable: false,
      advised: true,
    });
  });

  it('says the same for a tournament, and without the length when the input is not at hand', () => {
    const input = { task: 'continuity_check', input: 'x'.repeat(2_000_001) };
    expect(refused('tournaments:start', input).message).toBe(
      'input: This passage is too long to paste (2,000,001 characters; up to 2,000,000). Open it as a manuscript ' +
        'instead.',
    );
    const parsed = contract['runs:start'].input.safeParse({ task: 'scene_draft', input: 'x'.repeat(2_000_001) });
    expect(InvalidInputError.fromZod(parsed.error!).message).toBe(
      'input: This passage is too long to paste (more than 2,000,000 characters). Open it as a manuscript instead.',
    );
  });

  it('says an empty passage in words', () => {
    expect(refused('runs:start', { task: 'scene_draft', input: '' })).toMatchObject({
      path: 'input',
      message: 'input: There is no passage: paste or type some text, then run it.',
      advised: true,
    });
  });

  const endpoint = (model: Record<string, unknown>) => ({
    id: 'lm',
    kind: 'openai-compatible',
    base_url: 'http://localhost:1234/v1',
    models: [{ id: 'm', quality: 6, strengths: [], input_usd_per_mtok: 0, output_usd_per_mtok: 0, ...model }],
  });

  it.each([
    [{ id: '' }, 'models.0.id', 'models.0.id: The id of model 1 is empty: fill it in.'],
    [
      { input_usd_per_mtok: -1 },
      'models.0.input_usd_per_mtok',
      'models.0.input_usd_per_mtok: The input price of model 1 (“m”) cannot be below 0.',
    ],
    // A number the form could not read (NaN arrives as null): the endpoint's own fields, not "Invalid input".
    [{ quality: null }, 'models.0.quality', 'models.0.quality: The quality of model 1 (“m”) must be a number.'],
    // With its id where it has one: among 300 fetched models, "model 212" alone is not one a writer can find.
    [{ quality: 11 }, 'models.0.quality', 'models.0.quality: The quality of model 1 (“m”) cannot be above 10.'],
  ])('names the field in plain words when zod would have said it its own way (%o)', (model, path, message) => {
    const info = refused('providers:save', endpoint(model));
    expect(info).toMatchObject({ code: 'invalid_input', path, message });
    expect(info.advised).toBeUndefined();
    expect(info.message).not.toMatch(/expected|Too (big|small)|Invalid input|<=|>=/);
  });

  it("keeps a schema's own message", () => {
    expect(refused('providers:save', { ...endpoint({}), id: 'My Server' }).message).toBe(
      'id: Use lower-case letters, digits, - and _ only for the endpoint id',
    );
  });
});
