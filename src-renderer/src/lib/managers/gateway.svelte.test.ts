import { describe, expect, it } from 'vitest';
import type { GatewayState } from '$contract/gateway';
import { withFakeApi } from '../../../../test/renderer/fake-api';
import { GatewayManager } from './gateway.svelte';

const state = (patch: Partial<GatewayState> = {}): GatewayState => ({
  enabled: false,
  port: 5175,
  url: 'http://127.0.0.1:5175/v1',
  origins: [],
  tokens: [],
  listening: false,
  error: null,
  ...patch,
});

const token = (id: string, name: string) => ({
  id,
  name,
  created_at: '2026-12-01T10:00:00.000Z',
  last_used_at: null,
  monthly_cap_usd: null,
  local_only: false,
  spend_usd: 0,
});

function setup() {
  const copied: string[] = [];
  const made = withFakeApi((api) => new GatewayManager(api, async (text) => void copied.push(text)));
  return { ...made, copied };
}

describe('GatewayManager', () => {
  it('is off by default, as the host reports it', async () => {
    const { fake, manager } = setup();
    fake.answer('gateway:get', state());
    await manager.load();
    expect(manager.state).toMatchObject({ enabled: false, listening: false, port: 5175 });
  });

  it('turns the gateway on and shows the listening state the host answers with', async () => {
    const { fake, manager } = setup();
    fake.answer('gateway:set', state({ enabled: true, listening: true }));
    await expect(manager.setEnabled(true)).resolves.toBe(true);
    expect(fake.inputsOf('gateway:set')).toEqual([{ enabled: true }]);
    expect(manager.state).toMatchObject({ enabled: true, listening: true });
  });

  it('sends allowed web pages one per line, blank lines dropped, and keeps a refusal as the action error', async () => {
    const { fake, manager } = setup();
    fake.answer('gateway:set', (input) => state({ origins: input?.origins ?? [] }));
    await manager.setOrigins('https://app.novelcrafter.com\n\n  https://example.org  \n');
    expect(fake.inputsOf('gateway:set')).toEqual([
      { origins: ['https://app.novelcrafter.com', 'https://example.org'] },
    ]);
    expect(manager.state?.origins).toEqual(['https://app.novelcrafter.com', 'https://example.org']);
    await expect(manager.setOrigins('https://app.novelcrafter.com\nobsidian')).resolves.toBe(false);
    expect(manager.actionError).toMatchObject({
      code: 'invalid_input',
      path: 'origins.1',
      message:
        '"obsidian" has no scheme: write it as the app sends it, like https://app.example.com or app://obsidian.md.',
    });
    // Each refusal says what is wrong with that line.
    await expect(manager.setOrigins('https://app.example.com/write')).resolves.toBe(false);
    expect(manager.actionError?.message).toBe(
      '"https://app.example.com/write" has a path (/write); an origin is the scheme, host and port only: https://app.example.com.',
    );
    expect(manager.state?.origins).toEqual(['https://app.novelcrafter.com', 'https://example.org']);
    // Apps' own origins, written as the app sends them: Obsidian's desktop and iOS apps.
    await expect(manager.setOrigins('app://obsidian.md\ncapacitor://localhost')).resolves.toBe(true);
    expect(manager.state?.origins).toEqual(['app://obsidian.md', 'capacitor://localhost']);
  });

  it('creates a token, shows it once with a copy, and forgets it when closed', async () => {
    const { fake, manager, copied } = setup();
    fake.answer('gateway:token_create', { id: 't1', token: 'quire-secret-value' });
    fake.answer('gateway:get', state({ tokens: [token('t1', 'Obsidian')] }));
    await expect(manager.createToken({ name: ' Obsidian ', monthly_cap_usd: 5, local_only: true })).resolves.toBe(true);
    expect(fake.inputsOf('gateway:token_create')).toEqual([
      { name: ' Obsidian ', monthly_cap_usd: 5, local_only: true },
    ]);
    expect(manager.revealed).toEqual({ id: 't1', name: 'Obsidian', token: 'quire-secret-value' });
    expect(manager.state?.tokens.map((t) => t.name)).toEqual(['Obsidian']);
    await manager.copyToken();
    expect(copied).toEqual(['quire-secret-value']);
    expect(manager.copied).toBe(true);
    manager.closeToken();
    expect(manager.revealed).toBeNull();
    expect(JSON.stringify(manager.state)).not.toContain('quire-secret-value');
  });

  it('a token the host refuses (no name) is not shown and says why', async () => {
    const { manager } = setup();
    await expect(manager.createToken({ name: '', monthly_cap_usd: null, local_only: false })).resolves.toBe(false);
    expect(manager.revealed).toBeNull();
    expect(manager.actionError).toMatchObject({ code: 'invalid_input' });
  });

  it('revokes a token and shows the list without it', async () => {
    const { fake, manager } = setup();
    fake.answer('gateway:token_revoke', { revoked: true });
    fake.answer('gateway:get', state());
    await expect(manager.revoke('t1')).resolves.toBe(true);
    expect(fake.inputsOf('gateway:token_revoke')).toEqual([{ id: 't1' }]);
    expect(manager.state?.tokens).toEqual([]);
  });

  it("changes an app's cap and local-only switch in place, and shows the list as the host answers", async () => {
    const { fake, manager } = setup();
    const raised = { ...token('t1', 'Obsidian'), monthly_cap_usd: 5, local_only: true };
    fake.answer('gateway:token_update', raised);
    fake.answer('gateway:get', state({ tokens: [raised] }));
    await expect(manager.updateLimits('t1', { monthly_cap_usd: 5, local_only: true })).resolves.toBe(true);
    expect(fake.inputsOf('gateway:token_update')).toEqual([{ id: 't1', monthly_cap_usd: 5, local_only: true }]);
    expect(manager.state?.tokens).toEqual([raised]);
  });

  it('loads the month’s spend by app', async () => {
    const { fake, manager } = setup();
    const apps = [
      {
        token_id: 't1',
        name: 'Obsidian',
        revoked: false,
        spend_usd: 0.42,
        reserved_usd: 0,
        calls: 3,
        input_tokens: 10,
        output_tokens: 5,
      },
    ];
    const own = { spend_usd: 0.1, reserved_usd: 0, calls: 2, input_tokens: 40, output_tokens: 9 };
    fake.answer('spend:by_app', { month: '2026-12', apps, own });
    await manager.loadByApp('2026-12');
    expect(fake.inputsOf('spend:by_app')).toEqual([{ month: '2026-12' }]);
    expect(manager.byApp?.apps).toEqual(apps);
  });
});
