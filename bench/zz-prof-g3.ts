// temporary profiling script (engineer G), deleted before report
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/app/logger';
import { startFakeLlmServer } from '../src-main/test-support/fake-llm-server';
import { timeEach } from './stats';
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
await timeEach(1000, inProcess);
await app.close(); await server.close();
