// The prompt a local model really sees, and its token count. A model whose GGUF carries a chat template is prompted
// through its own chat wrapper; a base model without one gets a plain completion prompt (the messages' text, blank
// lines between), never a chat wrapper borrowed from another model family, which a base model was not trained on.
import {
  resolveChatWrapper,
  SpecialToken,
  SpecialTokensText,
  type ChatWrapper,
  type LlamaModel,
  type LlamaText,
} from 'node-llama-cpp';
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
 * model's WordTokenizer), its plain text is counted word by word, so a long passage costs one tokenization per
 * distinct word.
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
  return words ? countContextText(model, contextText, words) : contextText.tokenize(model.tokenizer).length;
}

/**
 * `contextText.tokenize(model.tokenizer).length`, with the plain text counted by `words`: node-llama-cpp's
 * LlamaText.tokenize (special tokens by the model's tokenizer; each run of text between them with "trimLeadingSpace")
 * and LlamaModel.tokenize's "trimLeadingSpace" for plain text (tokenize after a newline and drop the newline's
 * tokens), repeated here on counts; vocab-chunks.test.ts compares the two on every kind of text.
 */
function countContextText(model: LlamaModel, contextText: LlamaText, words: WordTokenizer): number {
  let tokens = 0;
  let text = '';
  const flush = () => {
    if (text !== '') tokens += countTrimmingLeadingSpace(model, text, words);
    text = '';
  };
  for (const value of contextText.values) {
    if (typeof value === 'string') text += value;
    else {
      flush();
      if (value instanceof SpecialToken) tokens += value.tokenize(model.tokenizer).length;
      else if (value instanceof SpecialTokensText) tokens += value.tokenize(model.tokenizer, tokens > 0).length;
    }
  }
  flush();
  return tokens;
}

function countTrimmingLeadingSpace(model: LlamaModel, text: string, words: WordTokenizer): number {
  if (text.startsWith('\n')) {
    // Whether the text's tokens read back starting with its newline: decided by its first tokens (a prefix of them
    // reads back as a prefix of the text's), so a chat turn's text after its header is never tokenized whole here.
    const first = model.detokenize(words.head(text, 2), false);
    if (first === '' ? model.detokenize(model.tokenize(text, false), false).startsWith('\n') : first.startsWith('\n'))
      return words.count(text);
  }
  const newline = model.tokenize('\n', false);
  const head = words.head(`\n${text}`, newline.length);
  if (newline.length > 0 && newline.every((token, i) => head[i] === token))
    return words.count(`\n${text}`) - newline.length;
  return words.count(text);
}

/** Framing allowances for the fast path: far above ChatML's and Llama 3's (a few tokens per message). */
const FRAMING_PER_MESSAGE = 16;
const FRAMING_ALLOWANCE = 256;

/**
 * The answer tokens a prompt leaves: `maxOutputTokens` when it fits with them, else (down to `leastOutputTokens`) the
 * room it leaves. Refuses a prompt that does not fit with its least answer: node-llama-cpp would otherwise shift the
 * context and drop the start of the prompt without a word. The numbers name the passage (the last message).
 */
export function ensurePromptFits(
  model: LlamaModel,
  contextSize: number,
  messages: readonly CountMessage[],
  maxOutputTokens: number,
  modelName: string,
  leastOutputTokens = maxOutputTokens,
): number {
  // Fast path: the messages' own tokens plus a generous allowance for any chat template's framing (default system
  // prompt, role markers) leave room for the answer, so the template need not be rendered. Otherwise count exactly.
  let plain = 0;
  for (const m of messages) plain += model.tokenize(m.content, false).length + FRAMING_PER_MESSAGE;
  if (plain + FRAMING_ALLOWANCE + maxOutputTokens <= contextSize) return maxOutputTokens;
  const total = countPromptTokens(model, messages);
  if (total + maxOutputTokens <= contextSize) return maxOutputTokens;
  // A request that may be shortened gets the room the prompt leaves, when that is at least its least answer.
  if (total + leastOutputTokens <= contextSize) return contextSize - total;
  const passage = messages.at(-1)?.content ?? '';
  const passageTokens = model.tokenize(passage, false).length;
  const framing = Math.max(0, total - passageTokens);
  const n = (value: number) => value.toLocaleString('en-US');
  // The answer the refusal is about: the least this request could have been given.
  const answer =
    leastOutputTokens < maxOutputTokens
      ? `${n(leastOutputTokens)} for the shortest answer it is given`
      : `${n(maxOutputTokens)} for the answer`;
  const room = contextSize - leastOutputTokens - framing;
  // The instruction and the answer fill the context by themselves: no passage, however short, runs there.
  if (room <= 0)
    throw InputTooLongError.noRoom(
      passageTokens,
      room,
      modelName,
      `its ${n(contextSize)}-token context cannot hold the task's ${n(framing)}-token instruction and chat format ` +
        `(as ${modelName} counts them) with ${answer}`,
    );
  throw new InputTooLongError(
    passageTokens,
    room,
    modelName,
    `its ${n(contextSize)}-token context less ${answer} and ${n(framing)} for the instruction and chat format`,
  );
}
