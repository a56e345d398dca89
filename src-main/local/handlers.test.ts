// The models:* channels through the real HTTP host: catalog with fit badges, fit from a remote GGUF header,
// download from a loopback server, installed, load / resident / unload, a run on the model, delete.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { hashFile } from '../../test/support/hash-file';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { fitVerdict } from './fit';
import { fixtureLlama } from '../../test/support/local-fixture';
import { startFileServer, type FileServer } from '../../test/support/file-server';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';

let llama: Llama;
let server: FileServer;
let fixture: string;
let sha: string;
beforeAll(async () => {
  llama = await fixtureLlama();
  fixture = tinyLlamaFixture({ seed: 21 });
  sha = await hashFile(fixture);
  server = await startFileServer();
  server.route('/models/tiny.gguf', { file: fixture });
});
afterAll(async () => {
  await server.close();
  await llama.dispose();
});

describe('models channels', () => {
  const testApp = useTestApp();
  const tempDir = useTempDir();
  const unsubscribers: (() => void)[] = [];
  afterEach(() => unsubscribers.splice(0).forEach((u) => u()));

  async function host() {
    const dir = tempDir();
    const catalog = join(dir, 'catalog.json');
    writeFileSync(
      catalog,
      JSON.stringify({
        version: 1,
        models: [
          {
            id: 'qwen2.5-1.5b-instruct-q4_k_m',
            display_name: 'Tiny stand-in',
            registry_model_id: 'qwen2.5-1.5b',
            url: `${server.url}/models/tiny.gguf`,
            quantization: 'F32',
            size_bytes: 1,
            sha256: sha,
            sha256_source: 'verified',
            memory_estimate_mb: 4,
            context_length: 2048,
          },
        ],
      }),
    );
    const h = await testApp.host({
      env: { QUIRE_CATALOG: catalog },
      local: { runtime: { createLlama: () => Promise.resolve(llama) } },
    });
    const events: PushedEvent[] = [];
    unsubscribers.push(h.app.events.subscribe((e) => events.push(e)));
    await h.call('settings:set', { local: { threads: 2 } });
    return { ...h, events };
  }

  it('lists the catalog with fit badges and checks fit from the remote header with Range reads', async () => {
    const { call } = await host();
    const catalog = await call('models:catalog');
    expect(catalog.body.value).toEqual([
      expect.objectContaining({
        id: 'qwen2.5-1.5b-instruct-q4_k_m',
        installed: false,
        download: null,
        fit: expect.objectContaining({ verdict: 'fits', source: 'catalog' }),
      }),
    ]);
    const before = server.requests.length;
    const fit = await call('models:fit', { id: 'qwen2.5-1.5b-instruct-q4_k_m' });
    expect(fit.body.value).toMatchObject({ verdict: 'fits', source: 'gguf_header' });
    expect(fit.body.value.need_bytes).toBeGreaterThan(100_000);
    const reads = server.requests.slice(before);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.range !== undefined)).toBe(true);
    const missing = await call('models:fit', { url: `${server.url}/models/none.gguf` });
    expect(missing.body.error).toMatchObject({ code: 'download_error' });
    const bad = await call('models:download', { url: 'ftp://example.com/x.gguf' });
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', path: expect.any(String) });
  });

  it('downloads, installs, loads, runs, unloads and deletes a model through the channels', async () => {
    const { call, app, events } = await host();
    const started = await call('models:download', { id: 'qwen2.5-1.5b-instruct-q4_k_m' });
    expect(started.body.value).toMatchObject({ status: 'downloading' });
    await expect.poll(() => events.some((e) => e.name === 'download:done'), { timeout: 10_000 }).toBe(true);
    expect(events.some((e) => e.name === 'download:progress')).toBe(true);
    const installed = await call('models:installed');
    expect(installed.body.value).toEqual([
      expect.objectContaining({ id: 'qwen2.5-1.5b-instruct-q4_k_m', registry_model_id: 'qwen2.5-1.5b', sha256: sha }),
    ]);
    expect(app.services.local.provider.isInstalled('qwen2.5-1.5b-instruct-q4_k_m')).toBe(true);

    const loaded = await call('models:load', { id: 'qwen2.5-1.5b-instruct-q4_k_m' });
    expect(loaded.body.value).toMatchObject({ id: 'qwen2.5-1.5b-instruct-q4_k_m', busy: false });
    expect((await call('models:resident')).body.value).toHaveLength(1);

    const spec = app.services.registry.get('qwen2.5-1.5b')!;
    const result = await app.services.local.provider
      .languageModel(spec)
      .generate({ messages: [{ role: 'user', content: 'Hello' }], maxOutputTokens: 4 });
    expect(result.usage.outputTokens).toBe(4);

    expect((await call('models:unload', { id: 'qwen2.5-1.5b-instruct-q4_k_m' })).body.value).toEqual([]);
    expect((await call('models:delete', { id: 'qwen2.5-1.5b-instruct-q4_k_m' })).body.value).toEqual([]);
    expect((await call('models:catalog')).body.value[0].installed).toBe(false);
    expect((await call('models:delete', { id: 'nope' })).body.error).toMatchObject({ code: 'not_found' });
  });

  it('the app’s token counter counts an installed local model with its own vocabulary, without loading it', async () => {
    const { call, app } = await host();
    await call('models:import', { path: fixture, name: 'Imported tiny' });
    const spec = app.services.registry.get('local:imported-tiny')!;
    const messages = [{ role: 'user' as const, content: 'Who moved the boat on Tuesday?' }];
    const counted = await app.services.tokens.count(spec, { messages });
    expect(counted.method).toBe('model');
    expect(counted.tokens).toBe(await app.services.local.tokenizer.count(spec, messages));
    expect(app.services.local.runtime.resident()).toEqual([]);
    const cloud = await app.services.tokens.count(app.services.registry.get('gpt-5.5')!, { messages });
    expect(cloud.method).toBe('o200k');
  });

  it('unloads models when the app closes', async () => {
    const { call, app } = await host();
    const imported = await call('models:import', { path: fixture, name: 'Imported tiny' });
    expect(imported.body.value).toMatchObject({ id: 'imported-tiny', registry_model_id: 'local:imported-tiny' });
    expect(app.services.registry.get('local:imported-tiny')).toMatchObject({ provider: 'local' });
    await call('models:load', { id: 'imported-tiny' });
    expect(app.services.local.runtime.resident()).toHaveLength(1);
    await app.close();
    expect(app.services.local.runtime.resident()).toHaveLength(0);
  });
});

describe('fitVerdict', () => {
  const GB = 1e9;
  it('counts resident models: fits, tight when others would be unloaded, won’t fit beyond the budget', () => {
    expect(fitVerdict(2 * GB, 10 * GB, 0).verdict).toBe('fits');
    expect(fitVerdict(9 * GB, 10 * GB, 0).verdict).toBe('tight');
    expect(fitVerdict(5 * GB, 10 * GB, 6 * GB)).toMatchObject({
      verdict: 'tight',
      message: expect.stringMatching(/unloaded/),
    });
    expect(fitVerdict(11 * GB, 10 * GB, 0).verdict).toBe('wont_fit');
  });
});
