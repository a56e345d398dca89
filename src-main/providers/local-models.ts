import type { ModelSpec } from '../../src-preload/contract';
import type { LanguageModel } from './spec';

/**
 * The local runtime as the execution layer sees it: a LanguageModel for a registry model whose provider is "local".
 * Implemented by src-main/local (node-llama-cpp); runs through it are recorded in the ledger at $0 like any other.
 */
export interface LocalModelProvider {
  languageModel(spec: ModelSpec): LanguageModel;
  /** True when the GGUF a local registry model needs is installed and verified. */
  isInstalled(catalogId: string): boolean;
}

/**
 * A local model that could not load and was answered by a smaller one says so with the warning
 * `local_fallback:<asked id>-><answering id>: <why>`; runs record it as a fallback.
 */
export const LOCAL_FALLBACK_WARNING = 'local_fallback:';

/**
 * A local model's answer shortened to what its context left after the prompt, as the model counted it (a request that
 * allowed it: GenerateRequest.leastOutputTokens): `local_shortened:<answer tokens>/<context tokens>`.
 */
export const LOCAL_SHORTENED_WARNING = 'local_shortened:';

/** The answer and context tokens a LOCAL_SHORTENED_WARNING in `warnings` says, if one does. */
export function localShortened(warnings: readonly string[]): { given: number; context: number } | null {
  for (const warning of warnings) {
    const match = new RegExp(`^${LOCAL_SHORTENED_WARNING}(\\d+)/(\\d+)$`).exec(warning);
    if (match) return { given: Number(match[1]), context: Number(match[2]) };
  }
  return null;
}
