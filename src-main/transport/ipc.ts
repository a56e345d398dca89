// Electron IPC over the same Dispatcher as the HTTP host. Takes ipcMain-like objects rather than importing
// 'electron', so the sender check is unit-tested without an Electron binary.
import { CHANNELS } from '../../src-preload/channels';
import type { Envelope } from '../../src-preload/contract';
import type { Dispatcher } from './dispatcher';

export interface IpcSenderFrame {
  url: string;
}

export interface IpcInvokeEventLike {
  senderFrame: IpcSenderFrame | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** Registers every contract channel; a call from any frame that is not our window's page is refused. */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  dispatcher: Dispatcher,
  isTrustedSender: (frame: IpcSenderFrame | null) => boolean,
): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, payload): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event.senderFrame)) {
        return {
          ok: false,
          error: { code: 'forbidden', message: 'This window may not call Quire', retryable: false },
        };
      }
      return dispatcher.call(channel, payload, { transport: 'ipc' });
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
