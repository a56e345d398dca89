import type { EventName, EventPayload, PushedEvent } from '../../src-preload/contract';

type Listener = (event: PushedEvent) => void;

/** Main-process side of pushed events: services emit, transports (IPC, SSE) forward to the renderer. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  /** `redact` masks secrets in every string of every payload before any transport sees it (a model may echo a key). */
  constructor(private readonly redact?: (text: string) => string) {}

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    if (this.listeners.size === 0) return;
    const redact = this.redact;
    // Masked once, when a listener first reads the payload: listeners that only look at the name (most in-process
    // ones) cost nothing, and every transport gets the same masked copy.
    let clean: EventPayload<E> | undefined;
    const event = {
      name,
      get payload(): EventPayload<E> {
        return (clean ??= redact ? (redactDeep(payload, redact) as EventPayload<E>) : payload);
      },
    } as PushedEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed window, a dropped SSE client) must not stop the others.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A copy with every string passed through `redact`; the value itself when nothing changed. */
function redactDeep(value: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => redactDeep(item, redact, depth + 1));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = redactDeep(item, redact, depth + 1);
    if (copy[key] !== item) changed = true;
  }
  return changed ? copy : value;
}
