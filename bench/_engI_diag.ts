import { getLlama, LlamaChatSession, TokenMeter } from 'node-llama-cpp';
import { DEFAULT_SETTINGS } from '../src-preload/contract';
import { tinyLlamaFixture } from '../src-main/local/fixtures/tiny-llama';
import { LocalRuntime } from '../src-main/local/runtime';
import { chatOnce } from '../src-main/local/local-chat';
const file = tinyLlamaFixture({ seed: 7, embd: 512, layers: 4, ff: 1408, heads: 8 });
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: 2, logLevel: 'error' as never });
const runtime = new LocalRuntime({ settings: () => ({ ...DEFAULT_SETTINGS.local, threads: 2 }), createLlama: () => Promise.resolve(llama) });
const model = await llama.loadModel({ modelPath: file });
const ctx = await model.createContext({ contextSize: 2048, threads: 2, sequences: 1 });
const seq = ctx.getSequence();
const prompt = 'Write the opening line of a mystery novel.';
async function raw() {
  await seq.clearHistory();
  const s = new LlamaChatSession({ contextSequence: seq, autoDisposeSequence: false });
  const before = seq.tokenMeter.getState();
  const t = performance.now();
  const r = await s.promptWithMeta(prompt, { maxTokens: 96 });
  const ms = performance.now() - t;
  const d = TokenMeter.diff(seq.tokenMeter, before);
  s.dispose({ disposeSequence: false });
  return { ms: ms.toFixed(0), in: d.usedInputTokens, out: d.usedOutputTokens, stop: r.stopReason, len: r.responseText.length };
}
async function adapter() {
  return runtime.use('a', file, async (m) => {
    const t = performance.now();
    const r = await chatOnce(m, { messages: [{ role: 'user', content: prompt }], maxOutputTokens: 96 } as never);
    return { ms: (performance.now() - t).toFixed(0), in: r.usage.inputTokens, out: r.usage.outputTokens, stop: r.finishReason, len: r.text.length };
  });
}
async function chatRaw() {
  const t = performance.now();
  const r = await chatOnce({ id: 'x', path: file, llama, model, context: ctx, sequence: seq }, { messages: [{ role: 'user', content: prompt }], maxOutputTokens: 96 } as never);
  return { ms: (performance.now() - t).toFixed(0), out: r.usage.outputTokens };
}
async function rawOnRuntime() {
  return runtime.use('a', file, async (m) => {
  await m.sequence.clearHistory();
  const s = new LlamaChatSession({ contextSequence: m.sequence, autoDisposeSequence: false });
  const t = performance.now();
  const r = await s.promptWithMeta(prompt, { maxTokens: 96 });
  const ms = performance.now() - t;
  s.dispose({ disposeSequence: false });
  return { ms: ms.toFixed(0), ctx: m.context.contextSize, batch: m.context.batchSize, threads: m.context.currentThreads, stop: r.stopReason };
  });
}
const variants: [string, () => Promise<{ ms: string }>][] = [['raw', raw], ['adp', adapter], ['chatOnceRawSeq', chatRaw], ['rawRuntimeSeq', rawOnRuntime]];
const res: Record<string, number[]> = {};
for (const [n, f] of variants) await f();
for (let r = 0; r < 8; r++) for (let k = 0; k < 4; k++) { const [n, f] = variants[(k + r) % 4]!; (res[n] ??= []).push(Number((await f()).ms)); }
for (const [n, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(n, 'median', v[4], v.join(' ')); }
await runtime.close(); await ctx.dispose(); await model.dispose(); await llama.dispose();
