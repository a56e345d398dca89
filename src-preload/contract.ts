// The one contract between the renderer and main: every channel (`domain:verb`) with its zod input schema and output
// type, and every pushed event. Both transports (Electron IPC, the HTTP browser host) serve exactly this.
import type { z } from 'zod';
import type { ChannelSpec } from './contract/define';
import { settingsChannels } from './contract/settings';
import { orchestratorChannels } from './contract/orchestrator';
import { spendChannels } from './contract/spend';
import { packsChannels } from './contract/packs';
import { modelsChannels } from './contract/models';
import { keysChannels } from './contract/keys';
import { providersChannels } from './contract/providers';
import { runsChannels } from './contract/runs';
import { tasksChannels } from './contract/tasks';
import { tournamentChannels } from './contract/tournaments';
import { appChannels } from './contract/app';
import { manuscriptsChannels } from './contract/manuscripts';
import { gatewayChannels } from './contract/gateway';
import type { AppEvents } from './contract/events';

export const contract = {
  ...settingsChannels,
  ...orchestratorChannels,
  ...spendChannels,
  ...packsChannels,
  ...modelsChannels,
  ...keysChannels,
  ...providersChannels,
  ...runsChannels,
  ...tasksChannels,
  ...tournamentChannels,
  ...appChannels,
  ...manuscriptsChannels,
  ...gatewayChannels,
} satisfies Record<string, ChannelSpec>;

export type Contract = typeof contract;
export type Channel = keyof Contract;
/** What the caller sends (before the schema's transforms). */
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
/** What the handler receives (after validation and transforms). */
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = NonNullable<Contract[C]['output']>;

export type EventName = keyof AppEvents;
export type EventPayload<E extends EventName> = AppEvents[E];
/** A pushed event; without a type argument, a union discriminated by `name`. */
export type PushedEvent<E extends EventName = EventName> = E extends EventName
  ? { name: E; payload: EventPayload<E> }
  : never;

export type { Envelope, ErrorCode, ErrorInfo, FixIn } from './contract/errors';
export * from './contract/settings';
export * from './contract/registry';
export * from './contract/provider-table';
export * from './contract/orchestrator';
export * from './contract/spend';
export * from './contract/packs';
export * from './contract/models';
export * from './contract/keys';
export * from './contract/providers';
export * from './contract/runs';
export * from './contract/tasks';
export * from './contract/app';
export * from './contract/tournaments';
export * from './contract/manuscripts';
export * from './contract/gateway';
export * from './contract/images';
