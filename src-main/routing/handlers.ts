import type { TaskWork } from '../orchestrator/routing-value';
import type { HandlerMap } from '../transport/dispatcher';
import type { OrchestratorService } from './orchestrator-service';
import type { PacksService } from './packs-service';

export interface RoutingHandlerDeps {
  orchestrator: Pick<OrchestratorService, 'capabilities' | 'decide' | 'recommend' | 'estimate' | 'plan' | 'keyImpact'>;
  packs: Pick<PacksService, 'list' | 'get' | 'save' | 'delete' | 'activate'>;
}

type RoutingChannel =
  | 'orchestrator:capabilities'
  | 'orchestrator:decide'
  | 'orchestrator:recommend'
  | 'orchestrator:estimate'
  | 'orchestrator:plan'
  | 'orchestrator:key_impact'
  | 'packs:list'
  | 'packs:get'
  | 'packs:save'
  | 'packs:delete'
  | 'packs:activate';

export function routingHandlers({ orchestrator, packs }: RoutingHandlerDeps): Pick<HandlerMap, RoutingChannel> {
  return {
    'orchestrator:capabilities': () => orchestrator.capabilities(),
    'orchestrator:decide': (request) => orchestrator.decide(request),
    'orchestrator:recommend': ({ task }) => orchestrator.recommend(task),
    'orchestrator:estimate': ({ tier, usage, tokens }) => orchestrator.estimate(tier, usage, tokens),
    'orchestrator:plan': ({ usage, tokens }) => orchestrator.plan(usage, tokens),
    'orchestrator:key_impact': ({ provider, usage, tokens }) => orchestrator.keyImpact(provider, usage, tokens),
    'packs:list': () => packs.list(),
    'packs:get': ({ name }) => packs.get(name),
    'packs:save': (input) => packs.save(input),
    'packs:delete': ({ name }) => packs.delete(name),
    'packs:activate': ({ name }) => packs.activate(name),
  };
}

/**
 * spend:routing_value: the month's work from the ledger (by task and by who chose its models), Quire's own picks priced
 * by the orchestrator three ways, the rest beside them.
 */
export function routingValueHandler(deps: {
  orchestrator: Pick<OrchestratorService, 'routingValue'>;
  work: (month: string) => TaskWork[];
}): Pick<HandlerMap, 'spend:routing_value'> {
  return {
    'spend:routing_value': ({ month }) => deps.orchestrator.routingValue(month, deps.work(month)),
  };
}
