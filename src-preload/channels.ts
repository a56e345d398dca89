// Names only, no schemas: the sandboxed preload must be one small self-contained bundle. A type check below keeps
// these lists identical to the contract's keys.
import type { Channel, EventName } from './contract';

export const CHANNELS = [
  'settings:get',
  'settings:set',
  'orchestrator:capabilities',
  'orchestrator:decide',
  'orchestrator:recommend',
  'orchestrator:estimate',
  'orchestrator:plan',
  'spend:current',
  'spend:month',
  'spend:export',
  'spend:routing_value',
  'keys:status',
  'keys:set',
  'keys:delete',
  'keys:test',
  'providers:list',
  'providers:save',
  'providers:delete',
  'providers:health',
  'providers:endpoint_models',
  'providers:reset',
  'runs:start',
  'runs:quote',
  'runs:cancel',
  'runs:list',
  'runs:get',
  'runs:rate',
  'runs:stats',
  'packs:list',
  'packs:get',
  'packs:save',
  'packs:delete',
  'packs:activate',
  'models:catalog',
  'models:installed',
  'models:fit',
  'models:download',
  'models:downloads',
  'models:pause',
  'models:resume',
  'models:cancel',
  'models:delete',
  'models:import',
  'models:load',
  'models:unload',
  'models:resident',
  'app:reveal',
  'app:machine',
  'tournaments:start',
  'tournaments:get',
  'tournaments:list',
  'tournaments:resolve',
] as const satisfies readonly Channel[];

export const EVENTS = [
  'settings:changed',
  'app:navigate',
  'download:progress',
  'download:done',
  'download:failed',
  'run:started',
  'run:token',
  'run:completed',
  'run:failed',
  'spend:updated',
  'spend:alert',
  'providers:health',
  'tournament:started',
  'tournament:member-started',
  'tournament:member-token',
  'tournament:member-done',
  'tournament:member-failed',
  'tournament:completed',
] as const satisfies readonly EventName[];

/** The IPC channel that carries every pushed event. */
export const EVENT_CHANNEL = 'quire:event';

type Missing<All, Listed> = Exclude<All, Listed>;
// If a channel or event is added to the contract but not listed here, one of these lines stops compiling.
export const channelsComplete: Missing<Channel, (typeof CHANNELS)[number]> extends never ? true : never = true;
export const eventsComplete: Missing<EventName, (typeof EVENTS)[number]> extends never ? true : never = true;
