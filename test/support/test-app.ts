import { afterEach } from 'vitest';
import { createApp, type App, type AppOptions } from '../../src-main/app/create-app';
import { silentLogger } from '../../src-main/infra/logger';
import { startHttpHost, type HttpHost } from '../../src-main/transport/http-host';
import { useTempDir } from './temp-dir';

/** Real app services on a temporary data directory, closed after each test. */
export function useTestApp() {
  const tempDir = useTempDir();
  const open: { app: App; host?: HttpHost }[] = [];
  afterEach(async () => {
    for (const entry of open.splice(0)) {
      await entry.host?.close();
      await entry.app.close();
    }
  });
  return {
    async app(options: Partial<AppOptions> = {}) {
      const app = await createApp({ dataDir: tempDir(), logger: silentLogger, ...options });
      open.push({ app });
      return app;
    },
    /** The app behind a real HTTP host on a free port. */
    async host(options: Partial<AppOptions> = {}) {
      const app = await createApp({ dataDir: tempDir(), logger: silentLogger, ...options });
      const host = await startHttpHost({
        dispatcher: app.dispatcher,
        events: app.events,
        rendererDir: null,
        port: 0,
        uploads: app.uploads,
      });
      open.push({ app, host });
      const call = async (channel: string, body?: unknown) => {
        const response = await fetch(`${host.url}/api/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: body === undefined ? '' : JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as { ok: boolean; value?: any; error?: any } };
      };
      return { app, host, call };
    },
  };
}
