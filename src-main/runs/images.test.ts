// Runs with images through the official SDKs against the loopback fake, which decodes and counts the images it gets
// by each maker's rule: they arrive intact on the right wire format, the reservation covers what the provider
// counts, a model that cannot see images is never sent any, and the run's record keeps no image bytes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useExecutionHarness } from '../../test/support/execution-harness';
import { pngImage } from '../../test/support/images';

const harness = useExecutionHarness();

const KEYS = {
  OPENAI_API_KEY: 'sk-test-openai-0001',
  ANTHROPIC_API_KEY: 'sk-ant-test-anthropic-0002',
  DEEPSEEK_API_KEY: 'sk-test-deepseek-0003',
};

async function builtins(env: Record<string, string> = KEYS) {
  const h = await harness.host({ env });
  const server = harness.server();
  for (const id of Object.keys(env).map((k) => k.replace('_API_KEY', '').toLowerCase())) {
    const base = id === 'anthropic' ? server.anthropicBaseUrl : server.openaiBaseUrl;
    await h.call('providers:save', { id, base_url: base, builtin: true });
  }
  return h;
}

const PASSAGE = 'Mara crossed the harbour to the lighthouse on the map’s northern point.';
const MAP = pngImage(1024, 1024);
const SKETCH = pngImage(300, 200, [200, 40, 40], [40, 200, 40]);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const images = [
  { media_type: 'image/png', data_base64: MAP.toString('base64'), name: 'map.png' },
  { media_type: 'image/png', data_base64: SKETCH.toString('base64'), name: 'mara.png' },
];

function ledgerRow(h: Awaited<ReturnType<typeof harness.host>>, runId: string) {
  return h.app.services.db
    .prepare('SELECT reserved_micros, charged_micros, state FROM ledger WHERE run_id = ?')
    .all(runId) as { reserved_micros: number; charged_micros: number; state: string }[];
}

describe('runs with images', () => {
  it('OpenAI: image_url parts with data URLs at high detail, intact, and a reservation that covers their tokens', async () => {
    const h = await builtins();
    const server = harness.server();
    // One output token: the reservation is then almost all input, so it must hold the images' tokens to cover them.
    server.script('gpt-4o', { text: 'North.' });
    const { body } = await h.call('runs:start', {
      task: 'scene_draft',
      input: PASSAGE,
      model: 'gpt-4o',
      images,
      max_output_tokens: 1,
    });
    expect(body.ok).toBe(true);
    const [request] = server.requests;
    expect(request!.model).toBe('gpt-4o');
    expect(request!.images.map(({ sha256, width, height, detail }) => ({ sha256, width, height, detail }))).toEqual([
      { sha256: sha(MAP), width: 1024, height: 1024, detail: 'high' },
      { sha256: sha(SKETCH), width: 300, height: 200, detail: 'high' },
    ]);
    // With the passage, in the last user message: images first, then the framed passage.
    const messages = request!.body.messages as { role: string; content: unknown }[];
    const last = messages.at(-1)!;
    expect(last.role).toBe('user');
    const parts = last.content as { type: string; text?: string; image_url?: { url: string } }[];
    expect(parts.map((p) => p.type)).toEqual(['image_url', 'image_url', 'text']);
    expect(parts[0]!.image_url!.url).toBe(`data:image/png;base64,${images[0]!.data_base64}`);
    expect(parts[2]!.text).toContain(PASSAGE);
    // The provider counted 765 + 255 image tokens; the run settled to them and the reservation held at least that.
    expect(request!.images.map((i) => i.tokens)).toEqual([765, 255]);
    expect(body.value.input_tokens).toBe(10 + 765 + 255);
    const [row] = ledgerRow(h, body.value.run_id);
    expect(row!.state).toBe('settled');
    expect(row!.charged_micros).toBeGreaterThan(0);
    expect(row!.reserved_micros).toBeGreaterThanOrEqual(row!.charged_micros);
  });

  it('Anthropic: base64 image blocks before the text, counted by width × height / 750 and covered', async () => {
    const h = await builtins();
    const server = harness.server();
    server.script('claude-haiku-4-5', { text: 'Lighthouse.' });
    const { body } = await h.call('runs:start', {
      task: 'scene_draft',
      input: PASSAGE,
      model: 'claude-haiku-4-5',
      images,
      stream: true,
      max_output_tokens: 1,
    });
    expect(body.ok).toBe(true);
    const [request] = server.requests;
    expect(request!.api).toBe('anthropic');
    const content = (request!.body.messages as { content: { type: string; source?: unknown }[] }[]).at(-1)!.content;
    expect(content.map((c) => c.type)).toEqual(['image', 'image', 'text']);
    expect(content[1]!.source).toEqual({ type: 'base64', media_type: 'image/png', data: images[1]!.data_base64 });
    expect(request!.images.map((i) => [i.sha256, i.tokens])).toEqual([
      [sha(MAP), Math.ceil((1024 * 1024) / 750)],
      [sha(SKETCH), Math.ceil((300 * 200) / 750)],
    ]);
    const [row] = ledgerRow(h, body.value.run_id);
    expect(row!.reserved_micros).toBeGreaterThanOrEqual(row!.charged_micros);
  });

  it('chooses among models that see images only: DeepSeek, the cheapest, is passed over and never sent them', async () => {
    const h = await builtins();
    const server = harness.server();
    h.app.services.settings.set({ orchestrator: { quality_tier: 'budget' } });
    server.script('deepseek-chat', { text: 'never', refusesImages: true });
    const quote = await h.call('orchestrator:decide', {
      task: 'scene_draft',
      input_tokens: 40,
      images: [{ width: 1024, height: 1024 }],
    });
    const deepseek = quote.body.value.candidates.find((c: { model_id: string }) => c.model_id === 'deepseek-chat');
    expect(deepseek).toMatchObject({ status: 'rejected', why: expect.stringMatching(/cannot see images/) });
    expect(quote.body.value.images).toEqual({ count: 1, tokens: expect.any(Number) });
    const { body } = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, images });
    expect(body.ok).toBe(true);
    expect(body.value.model_id).not.toBe('deepseek-chat');
    expect(server.requests.filter((r) => r.model === 'deepseek-chat')).toEqual([]);
    expect(server.requests.every((r) => r.images.length === 2)).toBe(true);
    // Without images the same run goes to DeepSeek, the budget pick.
    const plain = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE });
    expect(plain.body.value.model_id).toBe('deepseek-chat');
  });

  it('the last door: a text-only model refuses a request with images before any call, whatever chose it', async () => {
    const h = await builtins();
    const deepseek = h.app.services.registry.get('deepseek-chat')!;
    const model = h.app.services.providers.model(deepseek, 10_000);
    const request = {
      messages: [{ role: 'user' as const, content: PASSAGE }],
      maxOutputTokens: 10,
      images: [
        {
          media_type: 'image/png' as const,
          data_base64: images[0]!.data_base64,
          width: 1024,
          height: 1024,
          sha256: sha(MAP),
        },
      ],
    };
    // "Choose a model that can, or remove the images.": its own step, no general one after it.
    await expect(model.generate(request)).rejects.toMatchObject({
      code: 'unavailable',
      billing: 'none',
      advised: true,
    });
    await expect(
      (async () => {
        for await (const part of model.stream(request)) void part;
      })(),
    ).rejects.toThrow(/cannot see images/);
    expect(harness.server().requests).toEqual([]);
    // The same model without images is called as usual.
    await model.generate({ ...request, images: [] });
    expect(harness.server().requests).toHaveLength(1);
  });

  it('a text-only model named for the run is refused before any call, and nothing is reserved', async () => {
    const h = await builtins();
    const { body } = await h.call('runs:start', {
      task: 'scene_draft',
      input: PASSAGE,
      model: 'deepseek-chat',
      images,
    });
    expect(body.ok).toBe(false);
    expect(body.error.message).toMatch(/cannot see images/);
    expect(harness.server().requests).toEqual([]);
    expect((await h.call('spend:current')).body.value).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
  });

  it('with only a DeepSeek key: a clear refusal naming the models that could and the key to add; nothing sent or reserved', async () => {
    const h = await builtins({ DEEPSEEK_API_KEY: KEYS.DEEPSEEK_API_KEY });
    const { body } = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, images });
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toMatch(/Your images need a model that can see them/);
    expect(body.error.message).toMatch(/key in Settings → AI Intelligence/);
    expect(body.error.message).toMatch(/OpenAI/);
    expect(harness.server().requests).toEqual([]);
    expect((await h.call('spend:current')).body.value).toMatchObject({ spend_usd: 0, reserved_usd: 0 });
  });

  it('a critical task with images runs on one model that sees them, never as a tournament (quote and run agree)', async () => {
    const h = await builtins();
    const server = harness.server();
    h.app.services.settings.set({ tournament: { enabled: true, critical_tasks: ['continuity_check'] } });
    const findings = { findings: [] };
    for (const m of h.app.services.registry.all()) server.script(m.api_model_id ?? m.id, { json: findings });
    const start = { task: 'continuity_check', input: PASSAGE, images };
    // Without images the task is quoted as a tournament; with them, as one model.
    expect((await h.call('runs:quote', { task: 'continuity_check', input: PASSAGE })).body.value.kind).toBe(
      'tournament',
    );
    expect((await h.call('runs:quote', start)).body.value).toMatchObject({ kind: 'single', retry: true });
    const { body } = await h.call('runs:start', start);
    expect(body.value).toMatchObject({ status: 'completed', tournament_id: null });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.images).toHaveLength(2);
    expect((await h.call('tournaments:list')).body.value).toEqual([]);
  });

  it('the browser host takes a run with 9 MB of images (12 MB of base64: over the 8 MB a passage alone may be)', async () => {
    const h = await builtins();
    harness.server().script('gpt-4o', { text: 'Three pages.' });
    // Two scanned pages of 4.5 MB each: a real PNG, then bytes the header reader never reaches.
    const files = [1, 2].map((n) =>
      Buffer.concat([pngImage(170, 220, [n * 40, 60, 60]), Buffer.alloc(4.5 * 1024 * 1024 - 100_000, n)]),
    );
    const pages = files.map((file) => ({ media_type: 'image/png', data_base64: file.toString('base64') }));
    const { status, body } = await h.call('runs:start', {
      task: 'scene_draft',
      input: PASSAGE,
      model: 'gpt-4o',
      images: pages,
    });
    expect(status, JSON.stringify(body.error)).toBe(200);
    expect(body.value.status).toBe('completed');
    expect(harness.server().requests[0]!.images.map((i) => i.sha256)).toEqual(files.map(sha));
  });

  it('a writer’s endpoint model marked as seeing images (Ollama’s llava) can take them; unmarked ones cannot', async () => {
    const h = await harness.host();
    const server = harness.server();
    const model = (id: string, vision?: boolean) => ({
      id,
      quality: 8,
      strengths: ['creative_generation'],
      input_usd_per_mtok: 1,
      output_usd_per_mtok: 2,
      ...(vision !== undefined ? { vision } : {}),
    });
    const saved = await h.call('providers:save', {
      id: 'ollama',
      kind: 'openai-compatible',
      base_url: server.openaiBaseUrl,
      api_key: 'ollama',
      models: [model('llava', true), model('llama3', false), model('mistral')],
    });
    expect(saved.body.ok).toBe(true);
    server.script('llava', { text: 'A lighthouse on a cliff.' });
    const { body } = await h.call('runs:start', { task: 'scene_draft', input: PASSAGE, images, max_output_tokens: 1 });
    expect(body.value).toMatchObject({ status: 'completed', model_id: 'ollama/llava' });
    expect(server.requests.map((r) => [r.model, r.images.length])).toEqual([['llava', 2]]);
    // A writer's endpoint may be any model: its images are held at the largest of the providers' rules.
    const [row] = ledgerRow(h, body.value.run_id);
    expect(row!.reserved_micros).toBeGreaterThanOrEqual(row!.charged_micros);
  });

  it('the run’s record keeps each image’s size and SHA-256, never its bytes; other images are another cache entry', async () => {
    const h = await builtins();
    harness.server().script('gpt-4o', { text: 'The lighthouse.' });
    h.app.services.settings.set({ runs: { cache_enabled: true } });
    const start = { task: 'scene_draft', input: PASSAGE, model: 'gpt-4o', images, temperature: 0 };
    const { body } = await h.call('runs:start', start);
    const row = h.app.services.db.prepare('SELECT request_json FROM runs WHERE id = ?').get(body.value.run_id) as {
      request_json: string;
    };
    expect(row.request_json).not.toContain(images[0]!.data_base64.slice(0, 64));
    expect(JSON.parse(row.request_json).images).toEqual([
      { media_type: 'image/png', name: 'map.png', width: 1024, height: 1024, bytes: MAP.length, sha256: sha(MAP) },
      { media_type: 'image/png', name: 'mara.png', width: 300, height: 200, bytes: SKETCH.length, sha256: sha(SKETCH) },
    ]);
    // The same passage and images again: the cache answers. Another image: the model is asked.
    expect((await h.call('runs:start', start)).body.value.cache_hit).toBe(true);
    const other = await h.call('runs:start', { ...start, images: [images[1]] });
    expect(other.body.value.cache_hit).toBe(false);
    expect(harness.server().requests).toHaveLength(2);
  });
});
