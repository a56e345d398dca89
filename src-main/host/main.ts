// `npm run serve`: the same main-process services under plain Node, serving the renderer to a browser.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createApp } from '../app/create-app';
import { startupFailure } from '../electron/startup-failure';
import { resolveDataDir } from '../app/paths';
import { NodeProbeLauncher } from '../local/probe-launcher-node';
import { startHttpHost } from '../transport/http-host';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'gateway-port': { type: 'string' } },
    strict: true,
  });
  const port = values.port === undefined ? 5174 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer between 0 and 65535, got "${values.port}"`);
  }
  const gatewayPort = values['gateway-port'] === undefined ? undefined : Number(values['gateway-port']);
  if (gatewayPort !== undefined && (!Number.isInteger(gatewayPort) || gatewayPort < 1024 || gatewayPort > 65535)) {
    throw new Error(`--gateway-port must be an integer between 1024 and 65535, got "${values['gateway-port']}"`);
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const here = dirname(fileURLToPath(import.meta.url));
  // Unverified models are test-loaded in a child process first (out/main/probe.js, built beside this file).
  const app = await createApp({
    dataDir,
    local: { probe: new NodeProbeLauncher({ entry: join(here, 'probe.js') }) },
    ...(gatewayPort !== undefined ? { gateway: { port: gatewayPort } } : {}),
  }).catch((error: unknown) => {
    // As the desktop app says it (a full disk, a damaged library, another copy using it), with the step; the
    // failure's own text follows for whoever reads the terminal.
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`${startupFailure(error, dataDir).message} (${cause})`);
  });
  const host = await startHttpHost({
    dispatcher: app.dispatcher,
    events: app.events,
    rendererDir: join(here, '..', 'renderer'),
    port,
    uploads: app.uploads,
  });
  console.log(`Quire host listening on ${host.url}`);
  console.log(`Data directory: ${dataDir}`);
  const gateway = app.services.gateway.get();
  console.log(
    gateway.listening
      ? `Gateway for other apps: ${gateway.url}`
      : `Gateway for other apps: off (turn it on in Settings → AI Intelligence; port ${gateway.port})`,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await host.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`Quire host could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
