import { describe, expect, it } from 'vitest';
import type { EndpointInput } from '$contract/providers';
import { withFakeApi } from '../../../../test/renderer/fake-api';
import { provider } from '../../../../test/renderer/fixtures';
import { EndpointsManager } from './endpoints.svelte';

const input = (id: string): EndpointInput => ({
  id,
  kind: 'openai-compatible',
  base_url: 'http://127.0.0.1:1234/v1',
  models: [{ id: 'llama', quality: 6, strengths: ['prose_style'], input_usd_per_mtok: 0, output_usd_per_mtok: 0 }],
});

const setup = () => withFakeApi((api) => new EndpointsManager(api));

describe('EndpointsManager', () => {
  it('lists only the writer’s own endpoints', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:list', { providers: [provider('openai', 'built_in'), provider('lm-studio')] });
    await manager.load();
    expect(manager.custom.map((entry) => entry.id)).toEqual(['lm-studio']);
  });

  it('keeps the load error', async () => {
    const { fake, manager } = setup();
    fake.fail('providers:list', 'storage_error', 'cannot read');
    await manager.load();
    expect(manager.error).toMatchObject({ code: 'storage_error' });
    expect(manager.custom).toEqual([]);
  });

  it('connects to an endpoint as typed, then saves it and shows the new list', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:test', { provider: 'endpoint:lm-studio', ok: true, message: 'Found 1 model' });
    fake.answer('providers:save', provider('lm-studio'));
    fake.answer('providers:list', { providers: [provider('lm-studio')] });
    const saving = manager.save({ ...input('lm-studio'), api_key: 'lm-studio' });
    expect(manager.saving).toBe(true);
    await expect(saving).resolves.toBe(true);
    expect(manager.saving).toBe(false);
    expect(fake.inputsOf('providers:test')).toEqual([
      { id: 'lm-studio', kind: 'openai-compatible', base_url: 'http://127.0.0.1:1234/v1', api_key: 'lm-studio' },
    ]);
    expect(fake.inputsOf('providers:save')).toEqual([{ ...input('lm-studio'), api_key: 'lm-studio' }]);
    expect(manager.custom.map((entry) => entry.id)).toEqual(['lm-studio']);
    expect(manager.failure).toBeNull();
  });

  it('saves nothing when the endpoint cannot be reached, and says why and what to check', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:test', {
      provider: 'endpoint:lm-studio',
      ok: false,
      message: 'Nothing answers at 127.0.0.1:1234. Start the server (open Ollama, or start LM Studio’s local server).',
      reason: 'unreachable',
    });
    await expect(manager.save(input('lm-studio'))).resolves.toBe(false);
    expect(fake.countOf('providers:save')).toBe(0);
    expect(fake.countOf('providers:delete')).toBe(0);
    // The server's words say what is wrong and what to do, once: the form adds only what became of the endpoint.
    expect(manager.failure).toMatchObject({
      message: 'Nothing answers at 127.0.0.1:1234. Start the server (open Ollama, or start LM Studio’s local server).',
      next: 'Nothing was saved, and what you typed is kept: try again once the server answers, or save it anyway to use later.',
      input: input('lm-studio'),
      // The writer may be setting it up before the server runs: it may be saved untested.
      saveAnyway: true,
    });
    manager.clearFailure();
    expect(manager.failure).toBeNull();
  });

  it('saves nothing when an edit’s new key is refused, says to check the key, and offers no “Save anyway”', async () => {
    // “Save anyway” stored an endpoint whose server had just refused its key (HTTP 401): every run on it would fail.
    const { fake, manager } = setup();
    fake.answer('providers:test', {
      provider: 'endpoint:lm-studio',
      ok: false,
      message: 'Your endpoint “lm-studio” refused the key (HTTP 401)',
      reason: 'refused',
    });
    const edit = { ...input('lm-studio'), api_key: 'a-new-key' };
    await expect(manager.save(edit)).resolves.toBe(false);
    expect(fake.countOf('providers:save')).toBe(0);
    expect(manager.failure).toMatchObject({
      message: 'Your endpoint “lm-studio” refused the key (HTTP 401)',
      next: expect.stringMatching(/^Nothing was saved\. Check the key/),
      input: edit,
      saveAnyway: false,
    });
  });

  it('saves without a test when asked', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:save', provider('offline'));
    fake.answer('providers:list', { providers: [provider('offline')] });
    await expect(manager.save(input('offline'), false)).resolves.toBe(true);
    expect(fake.countOf('providers:test')).toBe(0);
  });

  it('reports a refusal by the host with its error', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:test', { provider: 'endpoint:lm-studio', ok: true, message: 'Found 1 model' });
    fake.fail('providers:save', 'conflict', 'lm-studio already exists');
    await expect(manager.save(input('lm-studio'))).resolves.toBe(false);
    expect(manager.failure).toMatchObject({ message: 'lm-studio already exists', error: { code: 'conflict' } });
  });

  it('removes an endpoint, or keeps the reason it could not', async () => {
    const { fake, manager } = setup();
    fake.fail('providers:delete', 'not_found', 'gone');
    await manager.remove('lm-studio');
    expect(manager.deleteError).toMatchObject({ code: 'not_found' });
    fake.answer('providers:delete', { deleted: true });
    fake.answer('providers:list', { providers: [] });
    await manager.remove('lm-studio');
    expect(manager.deleteError).toBeNull();
  });

  it('shows the newest list when an older answer lands last; reset() forgets it', async () => {
    const { fake, manager } = setup();
    await fake.answerLastFirst('providers:list', [
      [() => manager.load(), { providers: [provider('old')] }],
      [() => manager.load(), { providers: [provider('new')] }],
    ]);
    expect(manager.custom.map((entry) => entry.id)).toEqual(['new']);
    manager.reset();
    expect(manager.custom).toEqual([]);
  });

  it('Fetch models lists what the server serves, sending the short key a local server expects', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:endpoint_models', {
      models: [
        { id: 'llama3.1:8b', display_name: null, context_window: null },
        { id: 'qwen2.5:7b', display_name: null, context_window: null },
      ],
    });
    expect(manager.listed).toBeNull();
    await manager.fetchModels({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1', api_key: 'ollama' });
    expect(manager.listed?.map((m) => m.id)).toEqual(['llama3.1:8b', 'qwen2.5:7b']);
    expect(fake.refused).toEqual([]);
    expect(fake.inputsOf('providers:endpoint_models')[0]).toMatchObject({ api_key: 'ollama' });
  });

  it('a server that cannot be reached leaves no stale list and says why', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:endpoint_models', { models: [{ id: 'old', display_name: null, context_window: null }] });
    await manager.fetchModels({ id: 'lab' });
    fake.fail(
      'providers:endpoint_models',
      'unavailable',
      'Nothing answers at 127.0.0.1:11434. Check that the server is running',
    );
    expect(await manager.fetchModels({ id: 'lab' })).toBe(false);
    expect(manager.listed).toBeNull();
    expect(manager.listError?.message).toMatch(/server is running/);
  });

  it('a server that was not running, once it lists its models, no longer shows "Nothing answers" under the form', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:test', {
      provider: 'endpoint:ollama',
      ok: false,
      message: 'Nothing answers at 127.0.0.1:11434.',
      reason: 'unreachable',
    });
    await manager.save(input('ollama'));
    expect(manager.failure?.message).toBe('Nothing answers at 127.0.0.1:11434.');
    fake.answer('providers:endpoint_models', {
      models: [{ id: 'llama3.1:8b', display_name: null, context_window: null }],
    });
    await manager.fetchModels({ kind: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1' });
    expect(manager.failure).toBeNull();
  });
});
