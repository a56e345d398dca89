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

  it('saves an endpoint it can reach, then shows the new list', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:save', provider('lm-studio'));
    fake.answer('keys:test', { provider: 'endpoint:lm-studio', ok: true, message: 'Found 1 model' });
    fake.answer('providers:list', { providers: [provider('lm-studio')] });
    const saving = manager.save(input('lm-studio'), null);
    expect(manager.saving).toBe(true);
    await expect(saving).resolves.toBe(true);
    expect(manager.saving).toBe(false);
    expect(fake.inputsOf('keys:test')).toEqual([{ provider: 'endpoint:lm-studio' }]);
    expect(manager.custom.map((entry) => entry.id)).toEqual(['lm-studio']);
    expect(manager.failure).toBeNull();
  });

  it('takes a new endpoint it cannot reach out again, and says why', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:save', provider('lm-studio'));
    fake.answer('keys:test', { provider: 'endpoint:lm-studio', ok: false, message: 'connection refused' });
    fake.answer('providers:delete', { deleted: true });
    await expect(manager.save(input('lm-studio'), null)).resolves.toBe(false);
    expect(fake.inputsOf('providers:delete')).toEqual([{ id: 'lm-studio' }]);
    expect(manager.failure).toMatchObject({
      message: 'Quire could not reach http://127.0.0.1:1234/v1: connection refused',
      input: input('lm-studio'),
    });
    manager.clearFailure();
    expect(manager.failure).toBeNull();
  });

  it('puts an edited endpoint back as it was when the new address cannot be reached', async () => {
    const { fake, manager } = setup();
    const previous = provider('lm-studio');
    fake.answer('providers:save', previous);
    fake.answer('keys:test', { provider: 'endpoint:lm-studio', ok: false, message: 'timeout' });
    await manager.save({ ...input('lm-studio'), base_url: 'http://127.0.0.1:9999/v1' }, previous);
    expect(fake.inputsOf('providers:save').at(-1)).toEqual({
      id: 'lm-studio',
      kind: previous.kind,
      base_url: previous.base_url,
      models: previous.models,
    });
    expect(fake.countOf('providers:delete')).toBe(0);
  });

  it('saves without a test when asked', async () => {
    const { fake, manager } = setup();
    fake.answer('providers:save', provider('offline'));
    fake.answer('providers:list', { providers: [provider('offline')] });
    await expect(manager.save(input('offline'), null, false)).resolves.toBe(true);
    expect(fake.countOf('keys:test')).toBe(0);
  });

  it('reports a refusal by the host with its error', async () => {
    const { fake, manager } = setup();
    fake.fail('providers:save', 'conflict', 'lm-studio already exists');
    await expect(manager.save(input('lm-studio'), null)).resolves.toBe(false);
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
        { id: 'llama3.1:8b', display_name: null },
        { id: 'qwen2.5:7b', display_name: null },
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
    fake.answer('providers:endpoint_models', { models: [{ id: 'old', display_name: null }] });
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
});
