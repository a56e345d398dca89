// How managers reach the host: a QuireApi (the preload bridge, the browser host, or a test's fake) with the envelope
// unwrapped into values and thrown ApiErrors, and pushed events subscribed several at a time.
import type { QuireApi } from '../../../../src-preload/api';
import type { Channel, ErrorInfo, EventName, EventPayload, Input, Output } from '$contract';
import { createHttpApi } from './http-api';

declare global {
  interface Window {
    quire?: QuireApi;
  }
}

let picked: QuireApi | undefined;
/** Picked on first use rather than on import, so a manager module can be imported where there is no window. */
function transport(): QuireApi {
  return (picked ??= window.quire ?? createHttpApi());
}

/** The app's transport: Electron's preload bridge when present, else the browser host. */
export const api: QuireApi = {
  get transport() {
    return transport().transport;
  },
  invoke: (channel, input) => transport().invoke(channel, input),
  on: (event, listener) => transport().on(event, listener),
};

/** An error reply as a thrown value, for managers that prefer try/catch. */
export class ApiError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

export type EventHandlers = { [E in EventName]?: (payload: EventPayload<E>) => void };

export class Client {
  readonly #api: QuireApi;

  constructor(api: QuireApi) {
    this.#api = api;
  }

  async call<C extends Channel>(channel: C, input?: Input<C>): Promise<Output<C>> {
    const envelope = await this.#api.invoke(channel, input);
    if (!envelope.ok) throw new ApiError(envelope.error);
    return envelope.value;
  }

  /** Subscribes to several pushed events at once; returns one function that undoes all of them. */
  subscribe(handlers: EventHandlers): () => void {
    const offs = (Object.keys(handlers) as EventName[]).map((name) =>
      this.#api.on(name, handlers[name] as (payload: EventPayload<typeof name>) => void),
    );
    return () => {
      for (const off of offs) off();
    };
  }
}

/** The client the app's managers and views share. */
export const client = new Client(api);
