// /v1/embeddings as apps send it (the openai SDK, LangChain): what a request may hold (texts, not token ids; no empty
// text; OpenAI's 2,048 inputs), the local model's limit for one text said with its numbers, and an app that hangs up
// stopping its batch. The local model is node-llama-cpp on the generated tiny GGUF.
import { LlamaEmbeddingContext } from 'node-llama-cpp';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { GatewayCalls } from './gateway-calls';

const fixture = useLocalFixture();
const tempDir = useTempDir();
afterEach(() => vi.restoreAllMocks());

function open(): Promise<GatewayApp> {
  fixture.fake().reset();
  return gatewayApp({
    dataDir: tempDir(),
    fake: fixture.fake(),
    registry: [cloudSpec('cloud-gpt', 'openai', 9, 8), localSpec('tiny-local', 'tiny-fixture', 3)],
    local: { llama: fixture.llama(), files: { 'tiny-fixture': tinyLlamaFixture() } },
    // A local chat call that waits its turn behind embeddings must not fail over on the first-token deadline.
    execution: { firstTokenTimeoutMs: 60_000 },
  });
}

const embed = (g: GatewayApp, token: string, body: Record<string, unknown>, signal?: AbortSignal) =>
  g.raw('/v1/embeddings', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'tiny-local', ...body }),
    ...(signal ? { signal } : {}),
  });

describe('what an embeddings request may hold', () => {
  it('an empty text and token ids are refused in OpenAI shape, naming the input and what to send; nothing is embedded', async () => {
    await withGateway(open(), async (g) => {
      await g.app.services.local.load('tiny-fixture');
      const embedded = vi.spyOn(LlamaEmbeddingContext.prototype, 'getEmbeddingFor');
      const token = g.token();
      const cases: [unknown, RegExp][] = [
        ['', /^The input is an empty string: there is no text to embed\. Leave empty texts out of the request\.$/],
        [['a red door', ''], /^input\[1\] is an empty string: there is no text to embed\./],
        // LangChain's OpenAIEmbeddings sends tiktoken's ids: OpenAI's tokenizer, not the local model's.
        [[[1, 2, 3]], /^input: Quire's local models embed text, not token ids/],
        [[1, 2, 3], /^input: Quire's local models embed text, not token ids/],
        [['a red door', 7], /^input\[1\] is not a string: send each input as text\.$/],
      ];
      for (const [input, says] of cases) {
        const refused = await embed(g, token, { input });
        expect(refused.status, JSON.stringify(input)).toBe(400);
        expect(await refused.json()).toEqual({
          error: { message: expect.stringMatching(says), type: 'invalid_request_error', param: 'input', code: null },
        });
      }
      const tokenIds = (await (await embed(g, token, { input: [[1, 2, 3]] })).json()) as { error: { message: string } };
      expect(tokenIds.error.message).toMatch(/check_embedding_ctx_length=False/);
      expect(embedded).not.toHaveBeenCalled();
    });
  }, 120_000);

  it("takes OpenAI's 2,048 inputs in one request and refuses 2,049 saying the limit", async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const texts = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`);
      const tooMany = (await client.embeddings
        .create({ model: 'tiny-local', input: texts(2049) })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect([tooMany.status, tooMany.param]).toEqual([400, 'input']);
      expect(tooMany.message).toMatch(
        /^400 input: send at most 2,048 texts in one request \(this one has 2,049\); send the rest in another request\.$/,
      );
      // 2,048 pass the request's checks: with no model loaded, the next thing said is that one must be.
      const allowed = (await client.embeddings
        .create({ model: 'tiny-local', input: texts(2048) })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect(allowed.status).toBe(400);
      expect(allowed.message).toMatch(/tiny-local is not loaded/);
    });
  });

  it("a text past the local model's 512 tokens is refused with its place, its length and the limit; one of exactly 512 is embedded", async () => {
    await withGateway(open(), async (g) => {
      await g.app.services.local.load('tiny-fixture');
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const tokensOf = async (text: string) =>
        (await client.embeddings.create({ model: 'tiny-local', input: text })).usage.prompt_tokens;
      // The tiny model's tokenizer reads each "x" as one token, after a word-start piece: found, not assumed.
      const ten = await tokensOf('x'.repeat(10));
      expect(await tokensOf('x'.repeat(20))).toBe(ten + 10);
      const ofTokens = (n: number) => 'x'.repeat(n - (ten - 10));
      const longest = await client.embeddings.create({ model: 'tiny-local', input: ['a red door', ofTokens(512)] });
      expect(longest.usage.prompt_tokens).toBe((await tokensOf('a red door')) + 512);
      expect(longest.data.map((d) => d.embedding.length)).toEqual([64, 64]);
      const over = (await client.embeddings
        .create({ model: 'tiny-local', input: ['a red door', ofTokens(513)] })
        .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
      expect([over.status, over.param]).toEqual([400, 'input']);
      expect(over.message).toBe(
        '400 input[1] is 513 tokens long for tiny-local; Quire embeds at most 512 tokens of one text. Split it into shorter texts and send them as separate inputs.',
      );
    });
  }, 120_000);
});

describe('an app that hangs up', () => {
  it('stops its batch: no input is embedded after the app has gone, and the model is free for the next call', async () => {
    await withGateway(open(), async (g) => {
      await g.app.services.local.load('tiny-fixture');
      const token = g.token();
      const hangUp = new AbortController();
      // The gateway's own signal that the app hung up, to know it has seen the hang-up (no sleep).
      let sawHangUp: AbortSignal | undefined;
      const calls = GatewayCalls.prototype.embed;
      vi.spyOn(GatewayCalls.prototype, 'embed').mockImplementation(function (this: GatewayCalls, ...args) {
        sawHangUp = args[3];
        return calls.apply(this, args);
      });
      const original = LlamaEmbeddingContext.prototype.getEmbeddingFor;
      const embedded: unknown[] = [];
      let seen: Promise<boolean> | undefined;
      vi.spyOn(LlamaEmbeddingContext.prototype, 'getEmbeddingFor').mockImplementation(async function (
        this: LlamaEmbeddingContext,
        input,
      ) {
        embedded.push(input);
        const vector = await original.call(this, input);
        if (embedded.length === 1) {
          hangUp.abort();
          seen = vi.waitUntil(() => sawHangUp?.aborted === true, { timeout: 20_000 });
          await seen;
        }
        return vector;
      });
      const gone = await embed(g, token, { input: ['one', 'two', 'three', 'four'] }, hangUp.signal).catch(
        (e: unknown) => e,
      );
      expect((gone as Error).name).toBe('AbortError');
      // The gateway saw the hang-up while the first input was embedded (a wait that timed out would fail here).
      await expect(seen).resolves.toBe(true);
      // The model is used by one call at a time: this one runs once the hung-up batch has let go of it.
      const next = await embed(g, token, { input: 'five' });
      expect(next.status).toBe(200);
      expect(embedded).toHaveLength(2);
      // Only the finished call is a run.
      expect(g.app.services.runs.list().map((r) => r.task)).toEqual(['embeddings']);
    });
  }, 120_000);
});

describe('a long batch and the writer', () => {
  it('takes turns on the model: a run that asks for it meanwhile gets it after 32 texts, not after the whole batch', async () => {
    await withGateway(open(), async (g) => {
      await g.app.services.local.load('tiny-fixture');
      const queued: string[] = [];
      const generatingAfter: number[] = [];
      const embedded: unknown[] = [];
      g.app.events.subscribe((event) => {
        if (event.name !== 'run:progress') return;
        const { run_id, queue_position } = event.payload as { run_id: string; queue_position: number | null };
        if (queue_position === null) generatingAfter.push(embedded.length);
        else queued.push(run_id);
      });
      const chat = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Writer' }), maxRetries: 0 });
      let asked: Promise<unknown> | undefined;
      const original = LlamaEmbeddingContext.prototype.getEmbeddingFor;
      vi.spyOn(LlamaEmbeddingContext.prototype, 'getEmbeddingFor').mockImplementation(async function (
        this: LlamaEmbeddingContext,
        input,
      ) {
        embedded.push(input);
        if (embedded.length === 1) {
          asked = chat.chat.completions.create({
            model: 'tiny-local',
            messages: [{ role: 'user', content: 'Mara came home.' }],
            max_tokens: 2,
          });
          // In line for the model before the batch goes on.
          await vi.waitUntil(() => queued.length > 0, { timeout: 60_000 });
        }
        return original.call(this, input);
      });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Indexer' }), maxRetries: 0 });
      const batch = await client.embeddings.create({
        model: 'tiny-local',
        input: Array.from({ length: 40 }, (_, i) => `line ${i}`),
      });
      expect(batch.data).toHaveLength(40);
      await expect(asked).resolves.toMatchObject({ model: 'tiny-local' });
      expect(generatingAfter).toEqual([32]);
    });
  }, 120_000);
});
