// The browser host's side of the contract: POST /api/<channel> for calls, Server-Sent Events for pushed events.
import type { QuireApi } from '../../../../src-preload/api';
import type { Envelope, EventName, PushedEvent } from '$contract';

export function createHttpApi(base: string = location.origin): QuireApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;

  function ensureStream(): void {
    if (source) return;
    source = new EventSource(`${base}/api/events`);
    source.onmessage = (message: MessageEvent<string>) => {
      const event = JSON.parse(message.data) as PushedEvent;
      for (const listener of listeners.get(event.name) ?? []) listener(event.payload);
    };
  }

  return {
    transport: 'http',
    async invoke(channel, input) {
      try {
        const response = await fetch(`${base}/api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: input === undefined ? '' : JSON.stringify(input),
        });
        return (await response.json()) as Envelope<never>;
      } catch (error) {
        // The browser's words ("Failed to fetch") and the developer's hint are for the console, not the writer.
        console.warn(`Quire's host did not answer (${(error as Error).message}). Is \`npm run serve\` still running?`);
        return {
          ok: false,
          error: {
            code: 'unavailable',
            message:
              "Quire's window lost its connection to Quire. Reload the page; if it keeps happening, quit and reopen Quire.",
            retryable: true,
            advised: true,
          },
        };
      }
    },
    on<E extends EventName>(event: E, listener: (payload: never) => void) {
      ensureStream();
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
  } as QuireApi;
}
