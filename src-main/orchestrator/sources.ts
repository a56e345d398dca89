// What the pure decision needs from the outside world, as small interfaces the composition root fills in:
// which models can be called right now, and how much of this month's budget is spent or held.
import type { ModelSpec } from '../../src-preload/contract';
import { BUILTIN_PROVIDERS } from '../providers/builtin-providers';

export interface AvailabilitySource {
  /** A cloud (or custom endpoint) model can be called: its key or endpoint is configured. */
  cloudReady(spec: ModelSpec): boolean;
  /** The GGUF a local model needs is installed and verified. */
  localInstalled(catalogId: string): boolean;
}

export interface SpendSnapshot {
  /** YYYY-MM. */
  month: string;
  spent_usd: number;
  /** Worst-case amounts held for calls in flight. */
  reserved_usd: number;
}

export interface SpendSource {
  snapshot(now: Date): SpendSnapshot;
}

/** Environment variable holding each cloud provider's key (custom endpoints have none). */
export const PROVIDER_KEY_ENV: Partial<Record<string, string>> = Object.fromEntries(
  BUILTIN_PROVIDERS.map((provider) => [provider.id, provider.envVar]),
);

/** Without the key store and local library (the CLI): a cloud model is ready when its env key is set. */
export function envAvailability(env: NodeJS.ProcessEnv): AvailabilitySource {
  return {
    cloudReady(spec) {
      const name = PROVIDER_KEY_ENV[spec.provider];
      return name !== undefined && typeof env[name] === 'string' && env[name] !== '';
    },
    localInstalled: () => false,
  };
}

/** Calendar month of `now` as YYYY-MM in the process's local time zone (the writer's, in the desktop app). */
export function monthOf(now: Date): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

/** For callers without the ledger (the CLI, benchmarks): nothing spent. */
export const zeroSpend: SpendSource = {
  snapshot: (now) => ({ month: monthOf(now), spent_usd: 0, reserved_usd: 0 }),
};
