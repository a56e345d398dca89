// The preload exposes window.quire and nothing else: an invoke limited to the contract's channels and an event
// subscription limited to its events. No raw ipcRenderer reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { QuireApi } from './api';
import { CHANNELS, EVENTS, EVENT_CHANNEL } from './channels';
import type { PushedEvent } from './contract';

const channels = new Set<string>(CHANNELS);
const events = new Set<string>(EVENTS);
const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, message: PushedEvent) => {
  for (const listener of listeners.get(message.name) ?? []) listener(message.payload);
});

const api: QuireApi = {
  transport: 'ipc',
  invoke(channel, input) {
    if (!channels.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'unknown_channel', message: `Unknown channel "${String(channel)}"`, retryable: false },
      });
    }
    return ipcRenderer.invoke(channel, input);
  },
  on(event, listener) {
    if (!events.has(event)) throw new Error(`Unknown event "${String(event)}"`);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  },
};

contextBridge.exposeInMainWorld('quire', api);
