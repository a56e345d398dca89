// The embedding hook for claim matching: when a local model is already resident, embed the claims with it (a small
// embedding context on the same weights, disposed right after) instead of loading anything new. Chat models' embeddings
// are not trained for similarity, so the cosine is read conservatively and never lowers the lexical score.
import type { LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { LocalRuntime } from '../local/runtime';
import { embeddingSimilarity, lexicalSimilarity, type ClaimSimilarity } from './similarity';

/** Cosines below this say nothing for a chat model's embeddings; above it they are stretched onto 0–1. */
export const EMBEDDING_FLOOR = 0.8;
const EMBEDDING_CONTEXT = 512;

export function residentEmbeddings(runtime: Pick<LocalRuntime, 'resident' | 'use'>) {
  return async (claims: string[]): Promise<ClaimSimilarity | undefined> => {
    const resident = runtime.resident()[0];
    if (!resident || claims.length === 0) return undefined;
    const cosineOf = await runtime.use(resident.id, resident.path, async ({ model }) => {
      const contextSize = Math.min(EMBEDDING_CONTEXT, model.trainContextSize);
      const context = await model.createEmbeddingContext({ contextSize });
      try {
        return await embeddingSimilarity(claims, async (texts) => {
          const vectors: number[][] = [];
          for (const text of texts) vectors.push(await embedWhole(model, context, text, contextSize));
          return vectors;
        });
      } finally {
        await context.dispose();
      }
    });
    return (a, b) =>
      Math.max(lexicalSimilarity(a, b), Math.max(0, (cosineOf(a, b) - EMBEDDING_FLOOR) / (1 - EMBEDDING_FLOOR)));
  };
}

/** Room for a piece's own tokens: the context less the beginning and end tokens the embedding context adds. */
const PIECE_MARGIN = 2;

/**
 * A claim's embedding, whole: one longer than the context is embedded in token-sized pieces, averaged by their length.
 * (Cut by characters, a claim was still too long for a vocabulary of short tokens, and one such claim left every
 * claim to the lexical measure.)
 */
async function embedWhole(
  model: LlamaModel,
  context: LlamaEmbeddingContext,
  text: string,
  contextSize: number,
): Promise<number[]> {
  const tokens = model.tokenize(text);
  const size = Math.max(1, contextSize - PIECE_MARGIN);
  const sum: number[] = [];
  for (let start = 0; start < tokens.length; start += size) {
    const piece = tokens.slice(start, start + size);
    const { vector } = await context.getEmbeddingFor(piece);
    vector.forEach((value, i) => (sum[i] = (sum[i] ?? 0) + value * piece.length));
  }
  return sum.map((value) => value / tokens.length);
}
