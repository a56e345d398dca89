// The embedding hook for claim matching: when a local model is already resident, embed the claims with it (a small
// embedding context on the same weights, disposed right after) instead of loading anything new. Chat models' embeddings
// are not trained for similarity, so the cosine is read conservatively and never lowers the lexical score.
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
      const context = await model.createEmbeddingContext({ contextSize: EMBEDDING_CONTEXT });
      try {
        return await embeddingSimilarity(claims, async (texts) => {
          const vectors: number[][] = [];
          for (const text of texts) vectors.push([...(await context.getEmbeddingFor(text.slice(0, 1500))).vector]);
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
