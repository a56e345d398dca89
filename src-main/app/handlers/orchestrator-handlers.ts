import type { HandlerMap } from '../../transport/dispatcher';
import type { Services } from '../create-app';

export function orchestratorHandlers({
  orchestrator,
}: Services): Pick<
  HandlerMap,
  | 'orchestrator:capabilities'
  | 'orchestrator:decide'
  | 'orchestrator:recommend'
  | 'orchestrator:estimate'
  | 'spend:current'
> {
  return {
    'orchestrator:capabilities': () => orchestrator.capabilities(),
    'orchestrator:decide': (request) => orchestrator.decide(request),
    'orchestrator:recommend': ({ task }) => orchestrator.recommend(task),
    'orchestrator:estimate': ({ tier, usage }) => orchestrator.estimate(tier, usage),
    'spend:current': () => orchestrator.spendCurrent(),
  };
}
