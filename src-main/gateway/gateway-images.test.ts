// Images an app sends with its text (OpenAI's image_url data URLs, Anthropic's base64 image blocks) reach a model that
// can see them, intact, as the Workbench's images do; what the gateway cannot take is refused naming the field, before
// anything is charged. Cloud models on the loopback fake, which decodes the images it receives.
import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { pngImage } from '../../test/support/images';
import { useTempDir } from '../../test/support/temp-dir';
import { cloudSpec } from '../../test/support/tournament-app';

const tempDir = useTempDir();
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeLlmServer();
});
afterAll(() => fake.close());

const seeing = (id: string, provider: 'openai' | 'anthropic') => {
  const spec = cloudSpec(id, provider, 9, 8);
  return { ...spec, capabilities: { ...spec.capabilities, vision: true } };
};

function open(): Promise<GatewayApp> {
  fake.reset();
  return gatewayApp({
    dataDir: tempDir(),
    fake,
    registry: [seeing('cloud-gpt', 'openai'), seeing('cloud-claude', 'anthropic')],
  });
}

const MAP = pngImage(300, 200);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

describe('images through the gateway', () => {
  it('openai client: an image_url data URL in the last user message reaches the model intact, with its text', async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-gpt', { text: 'A lighthouse on the northern point.' });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Obsidian' }), maxRetries: 0 });
      const answer = await client.chat.completions.create({
        model: 'cloud-gpt',
        max_tokens: 50,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is on this map?' },
              { type: 'image_url', image_url: { url: dataUrl(MAP), detail: 'auto' } },
            ],
          },
        ],
      });
      expect(answer.choices[0]!.message.content).toBe('A lighthouse on the northern point.');
      const [request] = fake.requests;
      expect(request!.images.map(({ sha256, width, height }) => ({ sha256, width, height }))).toEqual([
        { sha256: sha(MAP), width: 300, height: 200 },
      ]);
      expect(JSON.stringify(request!.body.messages)).toContain('What is on this map?');
      // The provider counted the image: the usage the app is told (the ledger's) includes it.
      expect(answer.usage!.prompt_tokens).toBe(10 + request!.images[0]!.tokens);
    });
  });

  it('anthropic client: a base64 image block reaches the model intact; two 4 MB images pass the body limit', async () => {
    await withGateway(open(), async (g) => {
      fake.script('cloud-claude', { text: 'Two maps.' });
      const client = new Anthropic({
        baseURL: g.baseUrl.replace(/\/v1$/, ''),
        apiKey: g.token({ name: 'Script' }),
        maxRetries: 0,
      });
      // A PNG's header, then padding its reader never reaches: 4 MB each, 8 MB together (10.7 MB as base64).
      const big = Buffer.concat([pngImage(20, 20), Buffer.alloc(4 * 1024 * 1024)]);
      const block = (bytes: Buffer) => ({
        type: 'image' as const,
        source: { type: 'base64' as const, media_type: 'image/png' as const, data: bytes.toString('base64') },
      });
      const answer = await client.messages.create({
        model: 'cloud-claude',
        max_tokens: 50,
        messages: [{ role: 'user', content: [block(big), block(MAP), { type: 'text', text: 'Which is older?' }] }],
      });
      expect(answer.content[0]).toMatchObject({ type: 'text', text: 'Two maps.' });
      expect(fake.requests[0]!.images.map((i) => i.sha256)).toEqual([sha(big), sha(MAP)]);
    });
  });

  it('an address to fetch, an image in an earlier turn, or bytes that are not the type sent: a 400 naming it, nothing charged', async () => {
    await withGateway(open(), async (g) => {
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
      const refusal = (messages: OpenAI.ChatCompletionMessageParam[]) =>
        client.chat.completions
          .create({ model: 'cloud-gpt', max_tokens: 50, messages })
          .then(() => null)
          .catch((e: InstanceType<typeof OpenAI.APIError>) => [e.status, e.error]);
      const image = (url: string) => ({ type: 'image_url' as const, image_url: { url } });

      expect(await refusal([{ role: 'user', content: [image('https://example.com/map.png')] }])).toEqual([
        400,
        expect.objectContaining({
          param: 'messages.0.content.0.image_url.url',
          message:
            "messages.0.content.0.image_url.url: Quire's gateway takes an image as a data URL (data:image/png;base64,…), not an address to fetch. Send the image's bytes in a data URL; nothing was charged.",
        }),
      ]);
      expect(
        await refusal([
          { role: 'user', content: [image(dataUrl(MAP)), { type: 'text', text: 'This map.' }] },
          { role: 'assistant', content: 'A harbour.' },
          { role: 'user', content: 'And the lighthouse?' },
        ]),
      ).toEqual([
        400,
        expect.objectContaining({
          param: 'messages.0.content.0',
          message:
            'messages.0.content.0: Quire sends images with the last user message only. Send this image again with that message, or leave it out; nothing was charged.',
        }),
      ]);
      // A JPEG's name on PNG bytes: said as the Workbench says it, at the app's own field.
      expect(await refusal([{ role: 'user', content: [image(dataUrl(MAP).replace('png', 'jpeg'))] }])).toEqual([
        400,
        expect.objectContaining({
          param: 'messages.0.content.0.image_url.url',
          message: 'messages.0.content.0.image_url.url: This image is a PNG file, not JPEG as sent.',
        }),
      ]);
      expect(fake.requests).toHaveLength(0);
      expect(g.app.services.runs.list()).toEqual([]);
    });
  });

  it('with no model that can see them, the refusal says so and offers no model that cannot', async () => {
    fake.reset();
    await withGateway(
      gatewayApp({ dataDir: tempDir(), fake, registry: [cloudSpec('cloud-gpt', 'openai', 9, 8)] }),
      async (g) => {
        const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token(), maxRetries: 0 });
        const refused = (await client.chat.completions
          .create({
            model: 'quire/auto',
            max_tokens: 50,
            messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(MAP) } }] }],
          })
          .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
        expect(refused.status).toBe(503);
        expect(refused.message).toMatch(/No model Quire knows can see images/);
        expect(refused.message).not.toMatch(/This app can call/);
      },
    );
  });
});
