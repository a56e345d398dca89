import type { HandlerMap } from '../transport/dispatcher';
import type { ProviderService } from './provider-service';
import type { ProviderResilience } from './resilience';

export interface ProvidersHandlerDeps {
  providers: Pick<ProviderService, 'list' | 'save' | 'testEndpoint' | 'delete' | 'endpointModels'>;
  resilience: Pick<ProviderResilience, 'health' | 'reset'>;
}

export function providersHandlers({
  providers,
  resilience,
}: ProvidersHandlerDeps): Pick<
  HandlerMap,
  | 'providers:list'
  | 'providers:save'
  | 'providers:test'
  | 'providers:delete'
  | 'providers:health'
  | 'providers:reset'
  | 'providers:endpoint_models'
> {
  return {
    'providers:list': () => ({ providers: providers.list() }),
    'providers:save': (input) => providers.save(input),
    'providers:test': (input) => providers.testEndpoint(input),
    'providers:delete': ({ id }) => ({ deleted: providers.delete(id) }),
    'providers:health': () => ({ providers: resilience.health() }),
    'providers:endpoint_models': (input) => providers.endpointModels(input),
    'providers:reset': (input) => ({ providers: resilience.reset(input?.provider) }),
  };
}
