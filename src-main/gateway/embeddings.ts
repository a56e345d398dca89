// /v1/embeddings from a local model that is already loaded: Quire never loads a model or calls a cloud provider for
// an embedding, so the answer is free and stays on the machine.
import type { ModelSpec } from '../../src-preload/contract';
import type { LocalRuntime } from '../local/runtime';
import { wire } from './wire-errors';

const EMBEDDING_CONTEXT = 512;

export function localEmbeddings(
  runtime: Pick<LocalRuntime, 'resident' | 'use'>,
  models: () => readonly ModelSpec[],
): (
  model: string,
  texts: string[],
  cancel: AbortSignal,
) => Promise<{ model: string; vectors: number[][]; tokens: number }> {
  return async (model, texts, cancel) => {
    const resident = runtime.resident();
    const named = models().find((m) => m.id === model);
    if (!named && model !== 'quire/auto') throw wire.modelNotFound(model);
    if (named && named.provider !== 'local') {
      throw wire.invalid(
        `${named.display_name} is a cloud model; Quire makes embeddings with a loaded local model only.`,
      );
    }
    const target = named ? resident.find((r) => r.id === named.local?.catalog_id) : resident[0];
    if (!target) {
      throw wire.invalid(
        named
          ? `${named.display_name} is not loaded. Load it in Quire (Models → Load) to make embeddings with it.`
          : 'No local model is loaded in Quire. Load one (Models → Load) to make embeddings; they are never sent to a cloud provider.',
        'model',
      );
    }
    const servedBy = named?.id ?? models().find((m) => m.local?.catalog_id === target.id)?.id ?? target.id;
    return runtime.use(target.id, target.path, async ({ model: llamaModel }) => {
      const context = await llamaModel.createEmbeddingContext({ contextSize: EMBEDDING_CONTEXT });
      try {
        const vectors: number[][] = [];
        let tokens = 0;
        for (const text of texts) {
          cancel.throwIfAborted();
          const tokenized = llamaModel.tokenize(text);
          if (tokenized.length > EMBEDDING_CONTEXT) {
            throw wire.invalid(
              `An input is ${tokenized.length} tokens long; the local model embeds at most ${EMBEDDING_CONTEXT} at a time.`,
              'input',
            );
          }
          tokens += tokenized.length;
          vectors.push([...(await context.getEmbeddingFor(tokenized)).vector]);
        }
        return { model: servedBy, vectors, tokens };
      } finally {
        await context.dispose();
      }
    });
  };
}
