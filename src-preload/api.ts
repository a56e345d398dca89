import type { Channel, Envelope, EventName, EventPayload, Input, Output } from './contract';

/** What the renderer sees as `window.quire`, whichever transport carries it. */
export interface QuireApi {
  readonly transport: 'ipc' | 'http';
  invoke<C extends Channel>(channel: C, input?: Input<C>): Promise<Envelope<Output<C>>>;
  /** Subscribe to a pushed event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}
