import type { HandlerMap } from '../transport/dispatcher';
import type { GatewayService } from './gateway-service';

export function gatewayHandlers({
  gateway,
}: {
  gateway: GatewayService;
}): Pick<
  HandlerMap,
  | 'gateway:get'
  | 'gateway:set'
  | 'gateway:token_create'
  | 'gateway:token_update'
  | 'gateway:token_revoke'
  | 'spend:by_app'
> {
  return {
    'gateway:get': () => gateway.get(),
    'gateway:set': (patch) => gateway.set(patch),
    'gateway:token_create': (input) => gateway.createToken(input),
    'gateway:token_update': (input) => gateway.updateToken(input),
    'gateway:token_revoke': ({ id }) => gateway.revokeToken(id),
    'spend:by_app': ({ month }) => gateway.byApp(month),
  };
}
