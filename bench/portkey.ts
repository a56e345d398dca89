// Portkey's open-source gateway (@portkey-ai/gateway, a devDependency for the benchmark only) in its own process,
// bound to 127.0.0.1 by bench/portkey-loopback.mjs and routed to the loopback fake provider with its own headers.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Portkey {
  readonly baseURL: string;
  /** Portkey's routing headers: the OpenAI wire format, forwarded to `providerBaseUrl`. */
  headers(providerBaseUrl: string): Record<string, string>;
  close(): Promise<void>;
}

/** Starts Portkey, or returns why it cannot (not installed: run `npm ci`). */
export async function startPortkey(): Promise<Portkey | string> {
  let entry: string;
  try {
    const pkg = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');
    entry = join(dirname(pkg), 'build', 'start-server.js');
  } catch {
    return '@portkey-ai/gateway is not installed (npm ci installs the devDependencies)';
  }
  const preload = fileURLToPath(new URL('./portkey-loopback.mjs', import.meta.url));
  const child = fork(entry, ['--headless'], {
    execArgv: ['--import', preload],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const port = await new Promise<number | string>((resolve) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('exit', (code) => resolve(`Portkey exited (${code}) before listening: ${stderr}`));
  });
  if (typeof port === 'string') return port;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    headers: (providerBaseUrl) => ({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': providerBaseUrl }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
