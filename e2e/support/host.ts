// Starts the real browser host (the built out/main/host.js) on a fresh data directory and a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { PROVIDER_TABLE } from '../../src-preload/contract/provider-table';

export interface RunningHost {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** POST a contract channel directly (for arranging state and checking what was stored). */
  call<T = unknown>(
    channel: string,
    input?: unknown,
  ): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }>;
  stop(): Promise<void>;
}

export async function startHost(
  options: { env?: Record<string, string>; dataDir?: string; args?: string[] } = {},
): Promise<RunningHost> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'quire-e2e-'));
  const child = spawn(
    process.execPath,
    ['out/main/host.js', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Quire host listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`host exited with ${code} before listening:\n${output}`)));
  });
  return {
    url,
    dataDir,
    process: child,
    async call(channel, input) {
      const response = await fetch(`${url}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: input === undefined ? '' : JSON.stringify(input),
      });
      return (await response.json()) as never;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh machine's environment: no provider key set (the host would otherwise inherit this shell's). */
export const NO_KEYS: Record<string, string> = Object.fromEntries(PROVIDER_TABLE.map((p) => [p.env_var, '']));

/**
 * A Playwright test with a fresh host per test; `test.use({ hostEnv })` sets environment variables for it (keys, or
 * NO_KEYS for a fresh machine).
 */
export const test = base.extend<{ hostEnv: Record<string, string>; host: RunningHost }>({
  hostEnv: [{}, { option: true }],
  host: async ({ hostEnv }, use) => {
    const host = await startHost({ env: hostEnv });
    await use(host);
    await host.stop();
  },
});

export { expect } from '@playwright/test';
