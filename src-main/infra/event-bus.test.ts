import { describe, expect, it } from 'vitest';
import type { PushedEvent } from '../../src-preload/contract';
import { EventBus } from './event-bus';

describe('EventBus', () => {
  it('masks a payload once, when a listener first reads it, and never for listeners that only look at the name', () => {
    let masked = 0;
    const bus = new EventBus((text) => {
      masked++;
      return text.replaceAll('sk-secret-123456', '[redacted]');
    });
    const names: string[] = [];
    bus.subscribe((event) => names.push(event.name));
    bus.emit('run:token', { run_id: 'r1', model_id: 'm', text: 'echo sk-secret-123456', at: 0 });
    expect(names).toEqual(['run:token']);
    expect(masked).toBe(0);

    const seen: PushedEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    bus.subscribe((event) => seen.push(event));
    bus.emit('run:token', { run_id: 'r1', model_id: 'm', text: 'echo sk-secret-123456', at: 0 });
    expect(seen[0]!.payload).toEqual({ run_id: 'r1', model_id: 'm', text: 'echo [redacted]', at: 0 });
    expect(seen[1]!.payload).toBe(seen[0]!.payload);
    // Three strings, masked once for both listeners; a transport serialises the masked copy.
    expect(masked).toBe(3);
    expect(JSON.parse(JSON.stringify(seen[1]))).toEqual({
      name: 'run:token',
      payload: { run_id: 'r1', model_id: 'm', text: 'echo [redacted]', at: 0 },
    });
  });

  it('a throwing listener does not stop the others', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    bus.subscribe(() => {
      throw new Error('closed window');
    });
    bus.subscribe((event) => heard.push(event.name));
    bus.emit('run:token', { run_id: 'r1', model_id: 'm', text: 'x', at: 0 });
    expect(heard).toEqual(['run:token']);
  });
});
