// Names only, no schemas: the sandboxed preload must be one small self-contained bundle. A type check below keeps
// these lists identical to the contract's keys.
import type { Channel, EventName } from './contract';

export const CHANNELS = ['settings:get', 'settings:set'] as const satisfies readonly Channel[];

export const EVENTS = ['settings:changed', 'app:navigate'] as const satisfies readonly EventName[];

/** The IPC channel that carries every pushed event. */
export const EVENT_CHANNEL = 'quire:event';

type Missing<All, Listed> = Exclude<All, Listed>;
// If a channel or event is added to the contract but not listed here, one of these lines stops compiling.
export const channelsComplete: Missing<Channel, (typeof CHANNELS)[number]> extends never ? true : never = true;
export const eventsComplete: Missing<EventName, (typeof EVENTS)[number]> extends never ? true : never = true;
