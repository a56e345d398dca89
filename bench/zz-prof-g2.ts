// temporary timing script (engineer G), deleted before report
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/app/logger';
import { startFakeLlmServer } from '../src-main/test-support/fake-llm-server';
import { percentile, timeEach } from './stats';
import OpenAI from 'openai';

const server = await startFakeLlmServer({ port: 0 });
server.script('primary', { text: 'The timeline holds across chapters three and four.', inputTokens: 800, outputTokens: 60 });
const app = await createApp({ dataDir: mkdtempSync(join(tmpdir(), 'gprof-')), logger: silentLogger, env: {} });
app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
const price = { input_usd_per_mtok: 1, output_usd_per_mtok: 2, strengths: ['narrative_continuity'] };
for (const [id, model, q] of [['main', 'primary', 9.5], ['spare', 'backup', 9]] as const) {
  const r = await app.dispatcher.call('providers:save', { id, kind: 'openai-compatible', base_url: server.openaiBaseUrl, models: [{ id: model, quality: q, ...price }] }, { transport: 'internal' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
}
const payload = { task: 'continuity_check', input: 'Check chapter 3.', max_output_tokens: 1000 };
const inProcess = () => app.dispatcher.call('runs:start', payload, { transport: 'internal' }).then((r) => { if (!r.ok) throw new Error(JSON.stringify(r.error)); });
const sums = new Map<string, number[]>();
function wrap(obj: any, name: string, label = name) {
  const orig = obj[name].bind(obj);
  obj[name] = (...args: unknown[]) => {
    const t0 = performance.now();
    const r = orig(...args);
    if (r && typeof r.then === 'function') return r.finally(() => push(label, performance.now() - t0));
    push(label, performance.now() - t0);
    return r;
  };
}
let cur: Map<string, number> = new Map();
function push(label: string, ms: number) { cur.set(label, (cur.get(label) ?? 0) + ms); cur.set('#' + label, (cur.get('#' + label) ?? 0) + 1); }
const s = app.services as any;
const runs = s.runs; const o = runs.o;
wrap(o, 'decide'); wrap(s.ledger, 'reserve'); wrap(s.ledger, 'settle'); wrap(s.ledger, 'snapshot');
wrap(s.ledger, 'changed', 'ledger.changed'); wrap(s.ledger, 'atomically'); wrap(o.repo, 'save', 'runs.save'); wrap(runs, 'complete');
wrap(s.providers, 'model', 'providers.model'); wrap(o.resilience, 'execute', 'resilience.execute(net)');
wrap(runs, 'excluded'); wrap(o.settings, 'get', 'settings.get'); wrap(o.events, 'emit', 'events.emit');
wrap(s.local.provider, 'isInstalled', 'local.isInstalled'); wrap(app.dispatcher, 'call', 'TOTAL dispatcher.call'); wrap(runs, 'start', 'runs.start'); wrap(runs, 'consume');
await timeEach(100, inProcess);
const per = new Map<string, number[]>();
for (let i = 0; i < 300; i++) { cur = new Map(); await inProcess(); for (const [k, v] of cur) (per.get(k) ?? per.set(k, []).get(k)!).push(v); }
for (const [k, v] of per) console.log(k.padEnd(28), 'p50', percentile(v, 50).toFixed(4), 'mean', (v.reduce((a, b) => a + b, 0) / v.length).toFixed(4), 'n/run', '');
const spec = app.services.registry.get('main/primary')!;
const m = app.services.providers.model(spec, 60000);
const req = { messages: [{ role: 'user' as const, content: 'Check chapter 3.' }], maxOutputTokens: 1000 };
const sdk = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseUrl, maxRetries: 1 });
const direct = async () => { const st = await sdk.chat.completions.create({ model: 'primary', messages: req.messages, max_tokens: 1000, stream: true, stream_options: { include_usage: true } }); for await (const c of st) void c; };
const adapter = async () => { for await (const p of m.stream(req)) void p; };
const guarded = () => app.services.resilience.execute('main', 60000, async (signal) => { for await (const p of m.stream(req, signal)) void p; });
const consumeOnly = () => runs.consume(m, spec, req, new AbortController().signal, () => {});
const anyOnly = async () => { const c = new AbortController(); const f = new AbortController(); const t = setTimeout(() => f.abort(), 4000); for await (const p of m.stream(req, AbortSignal.any([AbortSignal.any([new AbortController().signal, c.signal]), f.signal]))) void p; clearTimeout(t); };
const led = app.services.ledger;
const afterFsync = async () => { const r = led.reserve({ runId: null, modelId: 'm', provider: 'p', task: 't', worstCaseUsd: 0.001 }); const t0 = performance.now(); await consumeOnly(); push('consume-after-fsync', performance.now() - t0); led.settle(r.id, 0.0001, { inputTokens: 1, outputTokens: 1 }); };
cur = new Map(); const cs: number[] = []; const rc: number[] = []; for (let i = 0; i < 300; i++) { cur = new Map(); await inProcess(); rc.push(cur.get('consume')!); cur = new Map(); await afterFsync(); cs.push(cur.get('consume-after-fsync')!); } console.log('consume after fsync', percentile(cs, 50).toFixed(4), 'consume in run', percentile(rc, 50).toFixed(4));
for (let r = 0; r < 2; r++) for (const [l, f] of [['consume', consumeOnly], ['anyOnly', anyOnly], ['direct', direct], ['adapter', adapter], ['adapter+breaker', guarded]] as const) { const x = await timeEach(300, f); console.log(l, percentile(x, 50).toFixed(4)); }
await app.close(); await server.close();
