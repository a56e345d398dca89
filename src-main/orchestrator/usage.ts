// What a call used, in the provider's own counts: pricing turns it into dollars, the ledger stores it.
/**
 * Token counts as the provider reported them. `inputTokens` is every input token billed, cached ones included
 * (OpenAI's prompt_tokens semantics; the Anthropic adapter adds cache reads and writes to input_tokens).
 */
export interface Usage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Of inputTokens, those read from the provider's prompt cache. */
  cachedInputTokens?: number | undefined;
  /** Of inputTokens, those written to the prompt cache (Anthropic cache_creation_input_tokens). */
  cacheWriteTokens?: number | undefined;
  /** Of outputTokens, those spent on hidden reasoning. */
  reasoningTokens?: number | undefined;
}
