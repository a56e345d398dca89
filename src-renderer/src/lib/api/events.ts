// Pushed events for managers: subscribe to several at once and get one function that undoes all of them.
import type { EventName, EventPayload } from '../../../../src-preload/contract';
import { api } from './client';

export type EventHandlers = { [E in EventName]?: (payload: EventPayload<E>) => void };

export function subscribe(handlers: EventHandlers): () => void {
  const offs = (Object.keys(handlers) as EventName[]).map((name) =>
    api.on(name, handlers[name] as (payload: EventPayload<typeof name>) => void),
  );
  return () => {
    for (const off of offs) off();
  };
}
