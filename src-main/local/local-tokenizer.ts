// Counts a local model's whole prompt with the GGUF's own tokenizer and chat template, exactly as a generation will
// see it. The vocabulary is loaded on its own (`vocabOnly`: no weights, no context), so counting before a run never
// loads the model or takes its memory; a few vocabularies are kept for the next count. Texts are tokenized word by
// word where the vocabulary allows it exactly (vocab-chunks.ts), each count or split remembering its own words.
import type { Llama, LlamaModel } from 'node-llama-cpp';
import type { ModelSpec } from '../../src-preload/contract';
import type { CountMessage } from '../tokens/token-counter';
import { countPromptTokens } from './local-prompt';
import { wordTokenizer } from './vocab-chunks';

export interface LocalTokenizerOptions {
  llama: () => Promise<Llama>;
  /** The installed GGUF of a catalog entry, if any. */
  fileOf: (catalogId: string) => string | undefined;
  /** Vocabularies kept loaded (least recently used dropped first). */
  keep?: number;
}

interface Vocabulary {
  model: LlamaModel;
}

export class LocalTokenizer {
  private readonly vocabularies = new Map<string, Promise<Vocabulary>>();

  constructor(private readonly options: LocalTokenizerOptions) {}

  /** The prompt's token count, or undefined when the model's file is not installed. */
  readonly count = async (spec: ModelSpec, messages: readonly CountMessage[]): Promise<number | undefined> => {
    const path = spec.local ? this.options.fileOf(spec.local.catalog_id) : undefined;
    if (!path) return undefined;
    const { model } = await this.vocabulary(path);
    // The same format generation uses: the model's chat template, or the plain completion prompt of a base model.
    return countPromptTokens(model, messages, wordTokenizer(model));
  };

  /** A synchronous per-text count with the model's own vocabulary (the splitter's), or undefined if not installed. */
  readonly textCounter = async (spec: ModelSpec): Promise<((text: string) => number) | undefined> => {
    const path = spec.local ? this.options.fileOf(spec.local.catalog_id) : undefined;
    if (!path) return undefined;
    const { model } = await this.vocabulary(path);
    return wordTokenizer(model).count;
  };

  /** Lets go of the vocabulary read from `path` (its model was deleted: a new one may be placed there). */
  async forget(path: string): Promise<void> {
    const loaded = this.vocabularies.get(path);
    this.vocabularies.delete(path);
    await (await loaded?.catch(() => null))?.model.dispose();
  }

  async close(): Promise<void> {
    const loaded = [...this.vocabularies.values()];
    this.vocabularies.clear();
    for (const vocabulary of loaded) await (await vocabulary.catch(() => null))?.model.dispose();
  }

  private vocabulary(path: string): Promise<Vocabulary> {
    let loaded = this.vocabularies.get(path);
    if (loaded) {
      // Most recently used last.
      this.vocabularies.delete(path);
      this.vocabularies.set(path, loaded);
      return loaded;
    }
    loaded = this.options.llama().then(async (llama) => {
      const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
      return { model };
    });
    loaded.catch(() => this.vocabularies.delete(path));
    this.vocabularies.set(path, loaded);
    const keep = this.options.keep ?? 4;
    while (this.vocabularies.size > keep) {
      const [oldest, evicted] = this.vocabularies.entries().next().value!;
      this.vocabularies.delete(oldest);
      void evicted.then((v) => v.model.dispose()).catch(() => undefined);
    }
    return loaded;
  }
}
