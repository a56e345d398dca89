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
