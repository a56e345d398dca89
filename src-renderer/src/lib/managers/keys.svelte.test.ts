import { describe, expect, it } from 'vitest';
import type { KeyStatus } from '$contract/keys';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { keysStatus } from '../../../../test/renderer/fixtures';
import { KeysManager } from './keys.svelte';

const stored = (provider: string): KeyStatus => ({
  provider,
  configured: true,
  last4: 'abcd',
  source: 'file',
  env_var: null,
});

function setup(configured: Record<string, boolean> = { openai: false }) {
  const fake = new FakeApi();
  fake.answer('keys:status', keysStatus(configured));
  return { fake, manager: new KeysManager(fake) };
}

describe('KeysManager', () => {
  it('loads which keys are set, or the reason it could not', async () => {
    const { fake, manager } = setup({ openai: true, anthropic: false });
    await manager.load();
    expect(manager.status?.keys.map((key) => [key.provider, key.configured])).toEqual([
      ['openai', true],
      ['anthropic', false],
    ]);
    fake.fail('keys:status', 'storage_error', 'keychain locked');
    await manager.load();
    expect(manager.error).toMatchObject({ code: 'storage_error' });
  });

  it('stores a key, tests it and says it works', async () => {
    const { fake, manager } = setup();
    await manager.load();
    fake.answer('keys:set', stored('openai'));
    fake.answer('keys:test', { provider: 'openai', ok: true, message: '42 models.' });
    const saving = manager.save('openai', 'sk-test-1234567890', true);
    expect(manager.busy).toEqual({ openai: 'saving' });
    await expect(saving).resolves.toBe(true);
    expect(manager.busy).toEqual({});
    expect(fake.inputsOf('keys:set')).toEqual([
      { provider: 'openai', api_key: 'sk-test-1234567890', allow_weak_storage: true },
    ]);
    expect(manager.feedback.openai).toEqual({ kind: 'success', message: 'Key saved. 42 models.' });
  });

  it('takes a refused new key out again and offers no way to store it: the provider said no', async () => {
    // “Save without testing” stored a key the provider had just refused (HTTP 401), with “Key saved without a test.”
    const { fake, manager } = setup({ openai: false });
    await manager.load();
    fake.answer('keys:set', stored('openai'));
    // What main says of a refused key (provider-service testKey), which names the provider: said once, not twice
    // ("OpenAI refused it — OpenAI refused the API key (HTTP 401).").
    fake.answer('keys:test', {
      provider: 'openai',
      ok: false,
      message: 'OpenAI refused the API key (HTTP 401).',
      reason: 'refused',
    });
    fake.answer('keys:delete', stored('openai'));
    await expect(manager.save('openai', 'sk-wrong-1234567890', false)).resolves.toBe(false);
    expect(fake.inputsOf('keys:delete')).toEqual([{ provider: 'openai' }]);
    expect(manager.feedback.openai).toEqual({
      kind: 'error',
      message: 'The key was not saved: OpenAI refused the API key (HTTP 401).',
      next: 'Check that you copied the whole key from the provider’s dashboard, then paste it again.',
      retryWithoutTest: false,
    });
  });

  it('a new key whose test could not reach the provider may be saved untested, and then says runs fail if it is wrong', async () => {
    const { fake, manager } = setup({ openai: false });
    await manager.load();
    fake.answer('keys:set', stored('openai'));
    fake.answer('keys:test', { provider: 'openai', ok: false, message: 'Nothing answers', reason: 'unreachable' });
    fake.answer('keys:delete', stored('openai'));
    await manager.save('openai', 'sk-offline-1234567890', false);
    expect(manager.feedback.openai).toMatchObject({
      kind: 'error',
      message: 'The key was not saved: Quire could not reach OpenAI to test it — Nothing answers',
      retryWithoutTest: true,
    });
    expect(manager.feedback.openai?.next).toMatch(/Offline\? Use “Save without testing”/);
  });

  it('keeps a replacement key the test refuses when one was set before, and says plainly that runs fail with it', async () => {
    const { fake, manager } = setup({ openai: true });
    await manager.load();
    fake.answer('keys:set', stored('openai'));
    fake.answer('keys:test', {
      provider: 'openai',
      ok: false,
      message: 'OpenAI refused the API key (HTTP 401).',
      reason: 'refused',
    });
    await manager.save('openai', 'sk-new-1234567890', false);
    expect(fake.countOf('keys:delete')).toBe(0);
    expect(manager.feedback.openai).toMatchObject({ kind: 'error', retryWithoutTest: false });
    expect(manager.feedback.openai?.message).toBe(
      'The new key replaced the old one, but OpenAI refused the API key (HTTP 401). Runs on OpenAI fail until you paste a key it accepts.',
    );
  });

  it('saves without a test when asked, and says the key is unchecked and what happens if it is wrong', async () => {
    const { fake, manager } = setup();
    fake.answer('keys:set', stored('openai'));
    await expect(manager.save('openai', 'sk-offline-1234567890', false, true)).resolves.toBe(true);
    expect(fake.countOf('keys:test')).toBe(0);
    expect(manager.feedback.openai).toEqual({
      kind: 'success',
      message:
        'Key saved without a test: Quire has not checked it with OpenAI. If OpenAI refuses it, runs on OpenAI fail until you replace it; press Test once you are online.',
    });
  });

  it('reports a key the host refuses to store, with the host’s error', async () => {
    const { manager } = setup();
    // Nothing but spaces: the contract refuses it before anything is stored.
    await expect(manager.save('openai', '   ', false)).resolves.toBe(false);
    expect(manager.feedback.openai).toMatchObject({ kind: 'error', error: { code: 'invalid_input' } });
    expect(manager.busy).toEqual({});
  });

  it('tests a stored key on request, and removes one', async () => {
    const { fake, manager } = setup({ openai: true });
    fake.answer('keys:test', { provider: 'openai', ok: false, message: 'quota exceeded' });
    const testing = manager.test('openai');
    expect(manager.busy).toEqual({ openai: 'testing' });
    await testing;
    expect(manager.feedback.openai).toMatchObject({ kind: 'error', message: 'quota exceeded' });
    fake.answer('keys:delete', stored('openai'));
    await manager.remove('openai');
    expect(manager.feedback.openai).toEqual({ kind: 'success', message: 'Key removed.' });
    manager.clearFeedback('openai');
    expect(manager.feedback).toEqual({});
  });

  it('reports a failed removal or test', async () => {
    const { fake, manager } = setup();
    fake.fail('keys:delete', 'storage_error', 'keychain locked');
    fake.fail('keys:test', 'unavailable', 'offline');
    await manager.remove('openai');
    expect(manager.feedback.openai).toMatchObject({ kind: 'error', message: 'keychain locked' });
    await manager.test('anthropic');
    expect(manager.feedback.anthropic).toMatchObject({ kind: 'error', message: 'offline' });
  });

  it('shows the newest status when an older answer lands last; reset() forgets it', async () => {
    const { fake, manager } = setup();
    await fake.answerLastFirst('keys:status', [
      [() => manager.load(), keysStatus({ openai: false })],
      [() => manager.load(), keysStatus({ openai: true })],
    ]);
    expect(manager.status?.keys[0]?.configured).toBe(true);
    manager.reset();
    expect(manager.status).toBeNull();
    expect(manager.feedback).toEqual({});
  });

  it('a test that could not reach the provider does not blame the key; a refused one does', async () => {
    const { fake, manager } = setup({ openai: true });
    await manager.load();
    fake.answer('keys:test', {
      provider: 'openai',
      ok: false,
      message: 'Nothing answers at 127.0.0.1:9',
      reason: 'unreachable',
    });
    await manager.test('openai');
    expect(manager.feedback.openai?.next).toMatch(/^The key was not the problem/);
    expect(manager.feedback.openai?.next).not.toMatch(/copied the whole key/);
    fake.answer('keys:test', { provider: 'openai', ok: false, message: 'HTTP 401', reason: 'refused' });
    await manager.test('openai');
    expect(manager.feedback.openai?.next).toMatch(/copied the whole key/);
  });

  it('a provider without a key reads “No key yet”; its environment variable is a second line, in the browser host only', () => {
    // It read “No key (or set OPENAI_API_KEY)” in the app too, where a writer adds a key by pasting it.
    const none: KeyStatus = {
      provider: 'openai',
      configured: false,
      last4: null,
      source: null,
      env_var: 'OPENAI_API_KEY',
    };
    const { fake, manager } = setup();
    expect(manager.describe(none)).toEqual({
      status: 'No key yet',
      hint: 'Or set OPENAI_API_KEY in the environment before you start the browser host.',
    });
    expect(manager.describe(stored('openai'))).toEqual({ status: 'Key ••••abcd stored in a private file', hint: null });
    const app = new KeysManager({ transport: 'ipc', invoke: fake.invoke.bind(fake), on: fake.on.bind(fake) });
    expect(app.describe(none)).toEqual({ status: 'No key yet', hint: null });
  });
});
