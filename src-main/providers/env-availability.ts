// Availability without the key store and the local library (the CLI, and the app until both exist): which cloud
// providers have a key in the environment.
import { providerEnvVars } from '../../src-preload/contract/provider-table';
import type { AvailabilitySource } from '../orchestrator/sources';

/** Environment variable holding each cloud provider's key (custom endpoints have none). */
export const PROVIDER_KEY_ENV: Partial<Record<string, string>> = providerEnvVars();

/** A cloud model is ready when its provider's env key is set; no local model is installed. */
export function envAvailability(env: NodeJS.ProcessEnv): AvailabilitySource {
  return {
    cloudReady(spec) {
      const name = PROVIDER_KEY_ENV[spec.provider];
      return name !== undefined && typeof env[name] === 'string' && env[name] !== '';
    },
    localInstalled: () => false,
  };
}
