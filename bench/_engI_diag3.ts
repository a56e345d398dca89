import { getLlama, LlamaChatSession, resolveChatWrapper, TokenMeter } from 'node-llama-cpp';
import { DEFAULT_SETTINGS } from '../src-preload/contract';
import { tinyLlamaFixture } from '../src-main/local/fixtures/tiny-llama';
import { LocalRuntime } from '../src-main/local/runtime';
import { chatOnce } from '../src-main/local/local-chat';
const T = Number(process.argv[2] ?? 2);
const file = tinyLlamaFixture({ seed: 7, embd: 512, layers: 4, ff: 1408, heads: 8 });
const llama = await getLlama({ gpu: false, build: 'never', maxThreads: T, logLevel: 'error' as never });
const runtime = new LocalRuntime({ settings: () => ({ ...DEFAULT_SETTINGS.local, threads: T }), createLlama: () => Promise.resolve(llama) });
const model = await llama.loadModel({ modelPath: file });
const ctx = await model.createContext({ contextSize: 2048, threads: T, sequences: 1 });
const seq = ctx.getSequence();
const cw = resolveChatWrapper(model);
const prompt = 'Write the opening line of a mystery novel.';
async function measure(f: () => Promise<unknown>) { const c = process.cpuUsage(); const t = performance.now(); await f(); const d = process.cpuUsage(c); return { wall: performance.now() - t, cpu: (d.user + d.system) / 1000 }; }
const raw = () => measure(async () => { await seq.clearHistory(); const s = new LlamaChatSession({ contextSequence: seq, chatWrapper: cw, autoDisposeSequence: false }); await s.promptWithMeta(prompt, { maxTokens: 96, temperature: 0 }); s.dispose({ disposeSequence: false }); });
const adp = () => measure(() => runtime.use('a', file, (m) => chatOnce(m, { messages: [{ role: 'user', content: prompt }], maxOutputTokens: 96, temperature: 0 } as never)));
await raw(); await adp(); await raw(); await adp();
const rw: number[] = [], rc: number[] = [], aw: number[] = [], ac: number[] = [];
for (let i = 0; i < 10; i++) { const fs = i % 2 ? [raw, adp] : [adp, raw]; for (const f of fs) { const m = await f(); if (f === raw) { rw.push(m.wall); rc.push(m.cpu); } else { aw.push(m.wall); ac.push(m.cpu); } } }
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log('threads', T, 'wall raw', med(rw).toFixed(0), 'adp', med(aw).toFixed(0), 'ratio', (med(rw) / med(aw)).toFixed(3), '| cpu raw', med(rc).toFixed(0), 'adp', med(ac).toFixed(0), 'ratio', (med(rc) / med(ac)).toFixed(3));
console.log('rw', rw.map((x) => x.toFixed(0)).join(' ')); console.log('aw', aw.map((x) => x.toFixed(0)).join(' '));
console.log('rc', rc.map((x) => x.toFixed(0)).join(' ')); console.log('ac', ac.map((x) => x.toFixed(0)).join(' '));
await runtime.close(); await ctx.dispose(); await model.dispose(); await llama.dispose();
