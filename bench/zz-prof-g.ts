// temporary profiling script (engineer G), deleted before report
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
server.script('backup', { text: 'backup answer', inputTokens: 800, outputTokens: 20 });
const app = await createApp({ dataDir: mkdtempSync(join(tmpdir(), 'gprof-')), logger: silentLogger, env: {} });
app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
const price = { input_usd_per_mtok: 1, output_usd_per_mtok: 2, strengths: ['narrative_continuity'] };
for (const [id, model, q] of [['main', 'primary', 9.5], ['spare', 'backup', 9]] as const) {
  const r = await app.dispatcher.call('providers:save', { id, kind: 'openai-compatible', base_url: server.openaiBaseUrl, models: [{ id: model, quality: q, ...price }] }, { transport: 'internal' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
}
const sdk = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseUrl, maxRetries: 1 });
const direct = async () => {
  const stream = await sdk.chat.completions.create({ model: 'primary', messages: [{ role: 'user', content: 'Check chapter 3.' }], max_tokens: 1000, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) void chunk;
};
const payload = { task: 'continuity_check', input: 'Check chapter 3.', max_output_tokens: 1000 };
const inProcess = () => app.dispatcher.call('runs:start', payload, { transport: 'internal' }).then((r) => { if (!r.ok) throw new Error(JSON.stringify(r.error)); });
const n = Number(process.env.N ?? 300);
await timeEach(50, direct); await timeEach(50, inProcess);
const a: number[] = [], b: number[] = [];
for (let i = 0; i < 3; i++) { a.push(...(await timeEach(n / 3, direct))); b.push(...(await timeEach(n / 3, inProcess))); }
console.log('direct p50', percentile(a, 50).toFixed(3), 'inproc p50', percentile(b, 50).toFixed(3), 'added', (percentile(b, 50) - percentile(a, 50)).toFixed(3));
const t = (label: string, fn: () => unknown) => timeEach(300, fn).then((s) => console.log(label, percentile(s, 50).toFixed(4)));
await t('decide', () => app.services.orchestrator.decide({ task: 'continuity_check', input_tokens: 20 }));
await t('snapshot', () => app.services.ledger.snapshot(new Date()));
await app.close(); await server.close();
