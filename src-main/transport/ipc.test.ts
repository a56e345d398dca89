import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src-preload/channels';
import { contract } from '../../src-preload/contract';
import { useTestApp } from '../test-support/test-app';
import { registerIpcHandlers, type IpcInvokeEventLike } from './ipc';

type Listener = (event: IpcInvokeEventLike, payload: unknown) => Promise<unknown>;

function fakeIpcMain() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle: (channel: string, listener: Listener) => void handlers.set(channel, listener),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

describe('IPC transport', () => {
  const testApp = useTestApp();
  const APP_URL = 'file:///Applications/Quire.app/Contents/Resources/app.asar/out/renderer/index.html';
  const trusted = (frame: { url: string } | null) => frame?.url === APP_URL;

  it('registers exactly the contract channels', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, app.dispatcher, trusted);
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.keys(contract).sort());
    expect([...CHANNELS].sort()).toEqual(Object.keys(contract).sort());
  });

  it('rejects every channel when the sender frame is not our window, and runs no handler', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, app.dispatcher, trusted);
    for (const [channel, listener] of ipc.handlers) {
      for (const frame of [{ url: 'https://evil.example/' }, null]) {
        const reply = (await listener({ senderFrame: frame }, { orchestrator: { quality_tier: 'premium' } })) as {
          ok: boolean;
          error: { code: string };
        };
        expect(reply, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
    }
    expect(app.services.settings.get().orchestrator.quality_tier).toBe('balanced');
  });

  it('serves the trusted window through the same dispatcher', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, app.dispatcher, trusted);
    const reply = await ipc.handlers.get('settings:set')!(
      { senderFrame: { url: APP_URL } },
      { orchestrator: { monthly_budget: -2 } },
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input', path: 'orchestrator.monthly_budget' } });
    const ok = await ipc.handlers.get('settings:get')!({ senderFrame: { url: APP_URL } }, undefined);
    expect(ok).toMatchObject({ ok: true });
  });
});
