// /v1/embeddings from a local model that is already loaded: Quire never loads a model or calls a cloud provider for
// an embedding, so the answer is free and stays on the machine.
import type { ModelSpec } from '../../src-preload/contract';
import { CancelledError } from '../errors';
import type { LocalRuntime } from '../local/runtime';
import type { Token } from 'node-llama-cpp';
import { wire } from './wire-errors';

/** OpenAI's own limit on the texts of one request; each is embedded in turn, on the one local model. */
export const MAX_EMBEDDING_INPUTS = 2048;
/** The longest text embedded, in the local model's tokens. */
export const MAX_EMBEDDING_TOKENS = 512;
/**
 * The context a text is embedded in: its tokens, the start and end marks the model adds around them, and one more
 * (node-llama-cpp refuses an input that fills the context).
 */
const EMBEDDING_CONTEXT = MAX_EMBEDDING_TOKENS + 4;

/** Texts embedded in one turn on the model (each turn makes a small embedding context of its own). */
const TEXTS_PER_TURN = 32;

/** An input as the app knows it: its place in the list it sent, or "The input" when it sent one. */
export function inputName(index: number, count: number): string {
  return count === 1 ? 'The input' : `input[${index}]`;
}

export function localEmbeddings(
  runtime: Pick<LocalRuntime, 'resident' | 'use'>,
  models: () => readonly ModelSpec[],
): (
  model: string,
  texts: string[],
  cancel: AbortSignal,
) => Promise<{ model: string; vectors: number[][]; tokens: number }> {
  return async (model, texts, cancel) => {
    const named = models().find((m) => m.id === model);
    if (!named && model !== 'quire/auto') throw wire.modelNotFound(model);
    if (named && named.provider !== 'local') {
      throw wire.invalid(
        `${named.display_name} is a cloud model; Quire makes embeddings with a loaded local model only.`,
      );
    }
    const resident = runtime.resident();
    const target = named ? resident.find((r) => r.id === named.local?.catalog_id) : resident[0];
    if (!target) {
      throw wire.invalid(
        named
          ? notLoaded(named.display_name)
          : 'No local model is loaded in Quire. Load one (Models → Load) to make embeddings; they are never sent to a cloud provider.',
        'model',
      );
    }
    const served = named ?? models().find((m) => m.local?.catalog_id === target.id);
    const servedName = served?.display_name ?? target.id;
    let tokenized: Token[][] | null = null;
    let tokens = 0;
    const vectors: number[][] = [];
    const stopIfGone = () => {
      if (cancel.aborted) throw new CancelledError('The app hung up before its embeddings were made.');
    };
    // A turn on the model at a time: the writer's own runs on it wait for one turn, never for the whole batch.
    while (vectors.length < texts.length) {
      stopIfGone();
      // Checked as the turn is taken: `use` would load a model the writer has unloaded meanwhile.
      if (!runtime.resident().some((r) => r.id === target.id)) throw wire.invalid(notLoaded(servedName), 'model');
      await runtime.use(target.id, target.path, async ({ model: llamaModel }) => {
        // Every text is measured before any is embedded: one too long is refused before the work is spent.
        tokenized ??= texts.map((text, i) => {
          const read = llamaModel.tokenize(text);
          tokens += read.length;
          if (read.length > MAX_EMBEDDING_TOKENS) {
            throw wire.invalid(
              `${inputName(i, texts.length)} is ${read.length.toLocaleString('en-US')} tokens long for ${servedName}; Quire embeds at most ${MAX_EMBEDDING_TOKENS} tokens of one text. Split it into shorter texts and send them as separate inputs.`,
              'input',
            );
          }
          return read;
        });
        const all = tokenized;
        const context = await llamaModel.createEmbeddingContext({ contextSize: EMBEDDING_CONTEXT });
        try {
          const end = Math.min(texts.length, vectors.length + TEXTS_PER_TURN);
          while (vectors.length < end) {
            stopIfGone();
            vectors.push([...(await context.getEmbeddingFor(all[vectors.length]!)).vector]);
          }
        } finally {
          await context.dispose();
        }
      });
    }
    return { model: served?.id ?? target.id, vectors, tokens };
  };
}

function notLoaded(name: string): string {
  return `${name} is not loaded. Load it in Quire (Models → Load) to make embeddings with it.`;
}
