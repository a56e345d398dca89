import { describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../src-preload/channels';
import { contract } from '../../src-preload/contract';
import { isTrustedSender } from '../electron/url-policy';
import { useTestApp } from '../../test/support/test-app';
import { registerIpcHandlers, type IpcInvokeEventLike, type IpcSenderFrame } from './ipc';

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
  // The predicate the Electron shell uses (src-main/electron/main.ts), not a stand-in.
  const trusted = (frame: IpcSenderFrame | null) => isTrustedSender(frame, APP_URL);
  const UNTRUSTED_FRAMES: (IpcSenderFrame | null)[] = [
    null, // destroyed or navigated-away frame
    { url: 'https://evil.example/' },
    { url: 'http://localhost:5173/' },
    { url: 'file:///etc/passwd' },
    { url: 'file:///Applications/Quire.app/Contents/Resources/app.asar/out/renderer/other.html' },
    { url: 'file://attacker/Applications/Quire.app/Contents/Resources/app.asar/out/renderer/index.html' },
    { url: 'data:text/html,<script>1</script>' },
    { url: 'about:blank' },
    { url: 'devtools://devtools/bundled/inspector.html' },
    { url: '' },
  ];

  it('registers exactly the contract channels', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, app.dispatcher, trusted);
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.keys(contract).sort());
    expect([...CHANNELS].sort()).toEqual(Object.keys(contract).sort());
  });

  it('rejects every channel when the sender frame is not our window, and the dispatcher never sees the call', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    const dispatch = vi.spyOn(app.dispatcher, 'call');
    registerIpcHandlers(ipc, app.dispatcher, trusted);
    expect(ipc.handlers.size).toBe(Object.keys(contract).length);
    for (const [channel, listener] of ipc.handlers) {
      for (const frame of UNTRUSTED_FRAMES) {
        const reply = await listener({ senderFrame: frame }, { orchestrator: { quality_tier: 'premium' } });
        expect(reply, `${channel} from ${frame?.url ?? 'null'}`).toEqual({
          ok: false,
          error: { code: 'forbidden', message: 'This window may not call Quire', retryable: false },
        });
      }
    }
    expect(dispatch).not.toHaveBeenCalled();
    expect(app.services.settings.get().orchestrator.quality_tier).toBe('balanced');
  });

  it('serves the trusted window through the same dispatcher (so the refusal above is not vacuous)', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    const dispatch = vi.spyOn(app.dispatcher, 'call');
    registerIpcHandlers(ipc, app.dispatcher, trusted);
    const reply = await ipc.handlers.get('settings:set')!(
      { senderFrame: { url: APP_URL } },
      { orchestrator: { monthly_budget: -2 } },
    );
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input', path: 'orchestrator.monthly_budget' } });
    const ok = await ipc.handlers.get('settings:set')!(
      { senderFrame: { url: `${APP_URL}#/settings` } },
      { orchestrator: { quality_tier: 'premium' } },
    );
    expect(ok).toMatchObject({ ok: true });
    expect(app.services.settings.get().orchestrator.quality_tier).toBe('premium');
    expect(dispatch).toHaveBeenCalledTimes(2);
    expect(dispatch.mock.calls.every(([, , context]) => context.transport === 'ipc')).toBe(true);
  });

  it('removes every handler it registered', async () => {
    const app = await testApp.app();
    const ipc = fakeIpcMain();
    registerIpcHandlers(ipc, app.dispatcher, trusted)();
    expect(ipc.handlers.size).toBe(0);
  });
});
