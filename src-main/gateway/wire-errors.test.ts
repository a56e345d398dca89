// Which failures the gateway answers as the app's mistake (4xx) and which as a failure on Quire's side (5xx): an app
// reads a 400 as "your request was wrong" and its SDK does not retry it, so a call whose models failed is never one.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { gatewayApp, withGateway } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';
import { InputTooLongError, InvalidInputError, QuireError } from '../errors';
import { toWireError, wireErrorBody } from './wire-errors';

const fixture = useLocalFixture();
const tempDir = useTempDir();

describe('toWireError', () => {
  it('a request Quire refused as wrong is a 400 invalid_request_error', () => {
    for (const error of [
      new InvalidInputError('messages: the text to work on is empty.', 'messages'),
      new InputTooLongError(9000, 2000, 'Tiny'),
    ]) {
      const wire = toWireError(error);
      expect(wire.init).toMatchObject({ status: 400, openaiType: 'invalid_request_error', retry: false });
      expect(wireErrorBody('anthropic', wire)).toMatchObject({ error: { type: 'invalid_request_error' } });
    }
  });

  it('a text too long for the model is OpenAI’s context_length_exceeded; a model too small for any text is not', () => {
    const tooLong = wireErrorBody('openai', toWireError(new InputTooLongError(9000, 2000, 'Tiny')));
    expect(tooLong).toMatchObject({ error: { code: 'context_length_exceeded', param: 'messages' } });
    // However short the text, the task's own parts leave no room: shortening it is no way past.
    const noRoom = toWireError(InputTooLongError.noRoom(9000, 0, 'Tiny', 'its 2,048-token context'));
    expect(noRoom.init).toMatchObject({ status: 400, openaiCode: null });
    // Too long for the first model, and then every other model failed: a 502, whatever the first said.
    const chain = new QuireError('invalid_input', 'None of the 2 models…', { retryable: true, tooLong: true });
    expect(toWireError(chain).init.status).toBe(502);
  });

  it('a failure a retry may get past, whatever its last cause, is the server side’s: 502 api_error', () => {
    // Every model tried failed, the last a local model the text did not fit (its code is the last failure's).
    const failed = new QuireError('invalid_input', 'None of the 2 models Quire tried could do this. …', {
      retryable: true,
    });
    const wire = toWireError(failed);
    expect(wire.init).toMatchObject({ status: 502, openaiType: 'server_error', anthropicType: 'api_error' });
    expect(wireErrorBody('openai', wire)).toMatchObject({ error: { type: 'server_error', message: failed.message } });
    expect(wireErrorBody('anthropic', wire)).toEqual({
      type: 'error',
      error: { type: 'api_error', message: failed.message },
    });
  });
});

describe('quire/line_edit whose model failed after it was charged', () => {
  it('is a 502 with its cost, that the openai SDK does not retry; not a 400 "your request was wrong"', async () => {
    fixture.fake().reset();
    const app = gatewayApp({
      dataDir: tempDir(),
      fake: fixture.fake(),
      registry: [
        { ...cloudSpec('cloud-gpt', 'openai', 9, 8), strengths: ['prose_style'] },
        // The registry says it reads 4,096 tokens; its file reads 2,048: the fallback cannot take the task either.
        { ...localSpec('tiny-local', 'tiny-fixture', 3), context_window: 4096 },
      ],
      local: { llama: fixture.llama(), files: { 'tiny-fixture': tinyLlamaFixture() } },
      execution: { firstTokenTimeoutMs: 60_000 },
    });
    await withGateway(app, async (g) => {
      // Prose twice, where the task's JSON edits were asked for: the answer cannot be used, and the call was charged.
      fixture.fake().script('cloud-gpt', { replies: [{ text: 'Here you go' }, { text: 'Still prose' }] });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 2 });
      const error = await client.chat.completions
        .create({ model: 'quire/line_edit', messages: [{ role: 'user', content: 'She walked slowly and quietly.' }] })
        .then(
          () => null,
          (e: unknown) => e,
        );
      // It was HTTP 400 "invalid_request_error" after the models failed, with "It was counted at $0.00006".
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      const failed = error as InstanceType<typeof OpenAI.InternalServerError>;
      expect(failed.status).toBe(502);
      expect(failed.message).toMatch(
        /None of the 2 models Quire tried could do this\..* It was counted at \$0\.0000\d/,
      );
      expect(failed.headers.get('x-should-retry')).toBe('false');
      // Charged once: the SDK did not send it again.
      expect(fixture.fake().requests.filter((r) => r.model === 'cloud-gpt')).toHaveLength(2);
    });
  }, 120_000);
});
