import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/infra/logger';
import { startHttpHost } from '../src-main/transport/http-host';
import { percentile, summary, timeEach } from './stats';

/** settings:get in-process (validation + handler + envelope) versus through the HTTP host. */
export async function benchDispatch(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-'));
  const app = await createApp({ dataDir: dir, logger: silentLogger });
  const host = await startHttpHost({ dispatcher: app.dispatcher, events: app.events, rendererDir: null, port: 0 });
  try {
    await timeEach(200, () => app.dispatcher.call('settings:get', undefined, { transport: 'internal' }));
    const inProcess = await timeEach(5000, () =>
      app.dispatcher.call('settings:get', undefined, { transport: 'internal' }),
    );
    const overHttp = await timeEach(1000, async () => {
      const response = await fetch(`${host.url}/api/settings:get`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '',
      });
      await response.json();
    });
    console.log(summary('in-process dispatch', inProcess));
    console.log(summary('HTTP host round trip', overHttp));
    console.log(`ratio HTTP/in-process p50: ${(percentile(overHttp, 50) / percentile(inProcess, 50)).toFixed(1)}x`);
  } finally {
    await host.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
