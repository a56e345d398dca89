// How many input tokens Quire reserves for before a provider has counted them. Shared (and free of zod) so the
// Workbench's cost quote and the ledger's reservation use the same number.
//
// Deliberately high for prose: ~4 characters make a token in English, so 3 is generous; a character outside ASCII
// (CJK, accents, emoji) is counted as 2 tokens, since such text often costs one or more tokens per character. Plus
// per-message framing. The ledger still settles to the provider's own count afterwards.

export interface TextMessage {
  content: string;
}

export function estimateInputTokens(messages: readonly TextMessage[]): number {
  let ascii = 0;
  let other = 0;
  for (const m of messages) {
    for (const ch of m.content) {
      if (ch.charCodeAt(0) < 128) ascii++;
      else other++;
    }
  }
  return Math.ceil(ascii / 3) + other * 2 + messages.length * 8 + 8;
}
