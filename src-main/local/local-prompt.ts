// The prompt a local model really sees, and its token count. A model whose GGUF carries a chat template is prompted
// through its own chat wrapper; a base model without one gets a plain completion prompt (the messages' text, blank
// lines between), never a chat wrapper borrowed from another model family, which a base model was not trained on.
import { resolveChatWrapper, type ChatWrapper, type LlamaModel, type Token, type Tokenizer } from 'node-llama-cpp';
import { InputTooLongError } from '../errors';
import type { CountMessage } from '../tokens/token-counter';
import { toHistory, withDefaultSystem } from './local-chat';
import type { WordTokenizer } from './vocab-chunks';

/** Whether the GGUF says how to format a chat (tokenizer.chat_template). */
export function hasChatTemplate(model: LlamaModel): boolean {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  return typeof template === 'string' && template.trim() !== '';
}

/** A base model's prompt: instruction, earlier turns and the passage as plain text, ending where the answer begins. */
export function completionPrompt(messages: readonly CountMessage[]): string {
  return `${messages.map((m) => m.content.trim()).join('\n\n')}\n\n`;
}

const wrappers = new WeakMap<LlamaModel, ChatWrapper | null>();

/** The model's chat wrapper, or null for a base model (completion format). Resolved once per loaded model. */
export function promptFormat(model: LlamaModel): ChatWrapper | null {
  let wrapper = wrappers.get(model);
  if (wrapper === undefined) wrappers.set(model, (wrapper = hasChatTemplate(model) ? resolveChatWrapper(model) : null));
  return wrapper;
}

/**
 * Tokens of the whole prompt as generation will send it (chat template or completion format). With `words` (the
 * model's WordTokenizer), its plain text is tokenized word by word with the same tokens, so a long passage costs one
 * tokenization per distinct word.
 */
export function countPromptTokens(model: LlamaModel, messages: readonly CountMessage[], words?: WordTokenizer): number {
  const wrapper = promptFormat(model);
  if (!wrapper) {
    // +1: the beginning-of-sequence token LlamaCompletion may prepend.
    const prompt = completionPrompt(messages);
    return (words ? words.count(prompt) : model.tokenize(prompt, false).length) + 1;
  }
  const { history, prompt } = toHistory({ messages: [...messages] });
  const { contextText } = wrapper.generateContextState({
    chatHistory: [
      ...withDefaultSystem(history, wrapper.generateInitialChatHistory()),
      { type: 'user', text: prompt },
      { type: 'model', response: [] },
    ],
  });
  return contextText.tokenize(words ? wordsTokenizer(model, words) : model.tokenizer).length;
}

/**
 * The model's tokenizer with its plain-text tokenization done by `words` (the same tokens): what LlamaText.tokenize
 * calls for each run of text between special tokens. The rest is node-llama-cpp's own LlamaModel.tokenize for plain
 * text with "trimLeadingSpace" (tokenize after a newline and drop the newline's tokens), repeated here on `words`;
 * local-tokenizer.test.ts compares the two on every kind of text.
 */
function wordsTokenizer(model: LlamaModel, words: WordTokenizer): Tokenizer {
  const own = model.tokenizer;
  const tokenize = (text: string, specialTokens?: boolean | 'builtin', options?: 'trimLeadingSpace'): Token[] => {
    if (specialTokens !== false && specialTokens !== undefined)
      return specialTokens === 'builtin' ? own(text as 'BOS', 'builtin') : own(text, specialTokens, options);
    if (text === '') return [];
    if (options !== 'trimLeadingSpace') return words.tokenize(text);
    if (text.startsWith('\n')) {
      const tokens = words.tokenize(text);
      if (model.detokenize(tokens, false).startsWith('\n')) return tokens;
    }
    const newline = words.tokenize('\n');
    const tokens = words.tokenize(`\n${text}`);
    if (newline.length > 0 && newline.every((token, i) => tokens[i] === token)) return tokens.slice(newline.length);
    return words.tokenize(text);
  };
  return Object.assign(tokenize, {
    detokenize: own.detokenize,
    isSpecialToken: own.isSpecialToken,
    isEogToken: own.isEogToken,
  }) as Tokenizer;
}

/** Framing allowances for the fast path: far above ChatML's and Llama 3's (a few tokens per message). */
const FRAMING_PER_MESSAGE = 16;
const FRAMING_ALLOWANCE = 256;

/**
 * Refuses a prompt that, with its answer, does not fit the context: node-llama-cpp would otherwise shift the
 * context and drop the start of the prompt without a word. The numbers name the passage (the last message).
 */
export function ensurePromptFits(
  model: LlamaModel,
  contextSize: number,
  messages: readonly CountMessage[],
  maxOutputTokens: number,
  modelName: string,
): void {
  // Fast path: the messages' own tokens plus a generous allowance for any chat template's framing (default system
  // prompt, role markers) leave room for the answer, so the template need not be rendered. Otherwise count exactly.
  let plain = 0;
  for (const m of messages) plain += model.tokenize(m.content, false).length + FRAMING_PER_MESSAGE;
  if (plain + FRAMING_ALLOWANCE + maxOutputTokens <= contextSize) return;
  const total = countPromptTokens(model, messages);
  if (total + maxOutputTokens <= contextSize) return;
  const passage = messages.at(-1)?.content ?? '';
  const passageTokens = model.tokenize(passage, false).length;
  const framing = Math.max(0, total - passageTokens);
  throw new InputTooLongError(
    passageTokens,
    contextSize - maxOutputTokens - framing,
    modelName,
    `its ${contextSize.toLocaleString('en-US')}-token context less ${maxOutputTokens.toLocaleString('en-US')} for the ` +
      `answer and ${framing.toLocaleString('en-US')} for the instruction and chat format`,
  );
}
