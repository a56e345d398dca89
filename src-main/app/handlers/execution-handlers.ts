import { InvalidInputError } from '../../errors';
import { BUILTIN_IDS } from '../../providers/builtin-providers';
import { startRun } from '../../tournament/critical-runs';
import type { HandlerMap } from '../../transport/dispatcher';
import type { Services } from '../create-app';

type ExecutionChannels =
  | 'spend:month'
  | 'spend:export'
  | 'keys:status'
  | 'keys:set'
  | 'keys:delete'
  | 'keys:test'
  | 'providers:list'
  | 'providers:save'
  | 'providers:delete'
  | 'providers:health'
  | 'providers:reset'
  | 'runs:start'
  | 'runs:cancel'
  | 'runs:list'
  | 'runs:get'
  | 'runs:rate'
  | 'runs:stats';

export function executionHandlers(services: Services): Pick<HandlerMap, ExecutionChannels> {
  const { keys, ledger, providers, resilience, runs, secretCipher } = services;
  const keyNames = () => [
    ...BUILTIN_IDS,
    ...providers
      .list()
      .filter((p) => p.type === 'custom')
      .map((p) => `endpoint:${p.id}`),
  ];
  const keyStatus = (provider: string) => keys.status([provider])[0]!;
  const known = (provider: string) => {
    if (!keyNames().includes(provider)) {
      throw new InvalidInputError(`"${provider}" is neither a built-in provider nor a saved endpoint`, 'provider');
    }
    return provider;
  };
  return {
    'spend:month': ({ month }) => ledger.month(month),
    'spend:export': ({ month }) => ledger.exportCsv(month),
    'keys:status': () => ({
      keys: keys.status(keyNames()),
      storage: secretCipher?.isAvailable() ? 'encrypted' : 'file',
      storage_is_weak: secretCipher?.isAvailable() === true && secretCipher.isWeak(),
    }),
    'keys:set': ({ provider, api_key, allow_weak_storage }) => {
      keys.set(known(provider), api_key, allow_weak_storage ?? false);
      return keyStatus(provider);
    },
    'keys:delete': ({ provider }) => {
      keys.delete(known(provider));
      return keyStatus(provider);
    },
    'keys:test': ({ provider }) => providers.testKey(known(provider)),
    'providers:list': () => ({ providers: providers.list() }),
    'providers:save': (input) => providers.save(input),
    'providers:delete': ({ id }) => ({ deleted: providers.delete(id) }),
    'providers:health': () => ({ providers: resilience.health() }),
    'providers:reset': (input) => ({ providers: resilience.reset(input?.provider) }),
    'runs:start': (input) => startRun({ runs, tournaments: services.tournaments }, input),
    'runs:cancel': ({ run_id }) => ({ cancelled: runs.cancel(run_id) }),
    'runs:list': (input) => ({ runs: runs.list(input ?? {}) }),
    'runs:get': ({ run_id }) => runs.get(run_id),
    'runs:rate': ({ run_id, rating }) => runs.rate(run_id, rating),
    'runs:stats': () => runs.stats(),
  };
}
