import { getLlama, LlamaChatSession, resolveChatWrapper } from 'node-llama-cpp';
import { tinyLlamaFixture } from '../src-main/local/fixtures/tiny-llama';
const file = tinyLlamaFixture({ seed: 7, embd: 512, layers: 4, ff: 1408, heads: 8 });
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 2, logLevel: 'error' as never });
const model = await llama.loadModel({ modelPath: file });
const ctx = await model.createContext({ contextSize: 2048, threads: 2, sequences: 1 });
const seq = ctx.getSequence();
const prompt = 'Write the opening line of a mystery novel.';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await seq.clearHistory();
  const t1 = performance.now();
  const s = new LlamaChatSession({ contextSequence: seq, autoDisposeSequence: false });
  const t2 = performance.now();
  const r = await s.promptWithMeta(prompt, { maxTokens: 96 });
  const t3 = performance.now(); const wn = s.chatWrapper.wrapperName;
  s.dispose({ disposeSequence: false });
  const t4 = performance.now();
  const w = resolveChatWrapper(model);
  const t5 = performance.now();
  console.log({ clear: t1 - t0, session: t2 - t1, prompt: t3 - t2, dispose: t4 - t3, resolve: t5 - t4, wrapper: wn, w: w?.wrapperName });
}
await ctx.dispose(); await model.dispose(); await llama.dispose();
