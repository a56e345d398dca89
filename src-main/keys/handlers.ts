import type { Output } from '../../src-preload/contract';
import { InvalidInputError } from '../errors';
import type { HandlerMap } from '../transport/dispatcher';
import type { KeyStore } from './key-store';
import type { SecretCipher } from './secret-cipher';

export interface KeysHandlerDeps {
  keys: Pick<KeyStore, 'status' | 'set' | 'delete'>;
  /** Electron's safeStorage; without it keys live in a 0600 file. */
  cipher: Pick<SecretCipher, 'isAvailable' | 'isWeak'> | undefined;
  /** Every name a key may be stored under: the built-in providers and the saved endpoints (`endpoint:<id>`). */
  names: () => string[];
  /** A minimal authenticated call with the stored key. */
  test: (provider: string) => Promise<Output<'keys:test'>>;
}

export function keysHandlers({
  keys,
  cipher,
  names,
  test,
}: KeysHandlerDeps): Pick<HandlerMap, 'keys:status' | 'keys:set' | 'keys:delete' | 'keys:test'> {
  const keyStatus = (provider: string) => keys.status([provider])[0]!;
  const known = (provider: string) => {
    if (!names().includes(provider)) {
      throw new InvalidInputError(`"${provider}" is neither a built-in provider nor a saved endpoint`, 'provider');
    }
    return provider;
  };
  return {
    'keys:status': () => ({
      keys: keys.status(names()),
      storage: cipher?.isAvailable() ? 'encrypted' : 'file',
      storage_is_weak: cipher?.isAvailable() === true && cipher.isWeak(),
    }),
    'keys:set': ({ provider, api_key, allow_weak_storage }) => {
      keys.set(known(provider), api_key, allow_weak_storage ?? false);
      return keyStatus(provider);
    },
    'keys:delete': ({ provider }) => {
      keys.delete(known(provider));
      return keyStatus(provider);
    },
    'keys:test': ({ provider }) => test(known(provider)),
  };
}
