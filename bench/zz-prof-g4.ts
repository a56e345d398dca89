import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/app/logger';
import { percentile, timeEach } from './stats';
const app = await createApp({ dataDir: mkdtempSync(join(tmpdir(), 'gprof-')), logger: silentLogger, env: {} });
const lib = (app.services.local as any).library;
const repo = lib.options.repo;
for (const [l, f] of [['repo', () => repo.modelByCatalogId('qwen2.5-3b-instruct-q4_k_m')], ['installedFile', () => lib.installedFile('qwen2.5-3b-instruct-q4_k_m')], ['isInstalled', () => app.services.local.provider.isInstalled('qwen2.5-3b-instruct-q4_k_m')]] as const) {
  const x = await timeEach(3000, f); console.log(l, (percentile(x, 50) * 1000).toFixed(1), 'us');
}
console.log(Object.keys(lib), Object.getOwnPropertyNames(Object.getPrototypeOf(lib)));
await app.close();
