import type { QuireApi } from '../../../../src-preload/api';
import type { Channel, ErrorInfo, Input, Output } from '../../../../src-preload/contract';
import { createHttpApi } from './http-api';

declare global {
  interface Window {
    quire?: QuireApi;
  }
}

/** The transport is picked once at start-up: Electron's preload bridge when present, else the browser host. */
export const api: QuireApi = window.quire ?? createHttpApi();

/** An error reply as a thrown value, for managers that prefer try/catch. */
export class ApiError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

export async function call<C extends Channel>(channel: C, input?: Input<C>): Promise<Output<C>> {
  const envelope = await api.invoke(channel, input);
  if (!envelope.ok) throw new ApiError(envelope.error);
  return envelope.value;
}
