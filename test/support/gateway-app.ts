// A real app (tournamentApp: cloud models on the loopback fake LLM server, local ones on node-llama-cpp) with the
// gateway turned on at a free port, and helpers the gateway tests share: a token, raw requests, ledger reads.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
import type { ModelSpec } from '../../src-preload/contract';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server';
import { useTempDir } from './temp-dir';
import { cloudSpec, tournamentApp, type TournamentApp, type TournamentAppOptions } from './tournament-app';

export interface GatewayApp extends TournamentApp {
  /** http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  port: number;
  token(options?: { name?: string; monthly_cap_usd?: number | null; local_only?: boolean }): string;
  /** The ledger rows of a run. */
  ledger(
    runId: string,
  ): { state: string; charged_micros: number | null; input_tokens: number | null; output_tokens: number | null }[];
  raw(path: string, init?: RequestInit & { host?: string }): Promise<Response>;
  /**
   * A POST whose body is held back until the gateway has let its headers in (Expect: 100-continue, which Node's server
   * answers as it hands the request to the gateway): `meanwhile` runs while the gateway waits for the body, as a change
   * the writer makes in Quire during an app's slow upload would.
   */
  postAfterDoor(path: string, headers: Record<string, string>, body: string, meanwhile: () => void): Promise<Response>;
}

export async function gatewayApp(
  options: Omit<TournamentAppOptions, 'registry'> & { registry: ModelSpec[] },
): Promise<GatewayApp> {
  const t = await tournamentApp({ ...options, gateway: { port: 0, ...options.gateway } });
  t.app.services.settings.set({ tournament: { enabled: false } });
  const state = await t.app.services.gateway.set({ enabled: true });
  if (!state.listening) throw new Error(`gateway did not start: ${state.error}`);
  const port = state.port;
  return {
    ...t,
    port,
    baseUrl: state.url,
    token: ({ name = 'Test app', ...rest } = {}) => t.app.services.gateway.createToken({ name, ...rest }).token,
    ledger: (runId) =>
      t.db
        .prepare('SELECT state, charged_micros, input_tokens, output_tokens FROM ledger WHERE run_id = ? ORDER BY id')
        .all(runId) as ReturnType<GatewayApp['ledger']>,
    raw: async (path, init = {}) => {
      const { host, ...rest } = init;
      // fetch() will not set Host itself; node:http can, for the DNS-rebinding test.
      if (host) return rawWithHost(port, path, host, rest);
      return fetch(`http://127.0.0.1:${port}${path}`, rest);
    },
    postAfterDoor: (path, headers, body, meanwhile) => postAfterDoor(port, path, headers, body, meanwhile),
  };
}

/** Hands an opened gateway app to `use` and closes it afterwards, whatever `use` did. */
export async function withGateway<G extends GatewayApp, T>(opening: Promise<G>, use: (g: G) => Promise<T>): Promise<T> {
  const g = await opening;
  try {
    return await use(g);
  } finally {
    await g.close();
  }
}

async function rawWithHost(port: number, path: string, host: string, init: RequestInit): Promise<Response> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { ...(init.headers as object), host } },
      (res) => resolve(responseOf(res)),
    );
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  });
}

async function postAfterDoor(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: string,
  meanwhile: () => void,
): Promise<Response> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { ...headers, 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' },
      },
      (res) => resolve(responseOf(res)),
    );
    req.on('continue', () => {
      meanwhile();
      req.end(body);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

function responseOf(res: IncomingMessage): Promise<Response> {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) =>
    res.on('end', () =>
      resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: res.headers as never })),
    ),
  );
}

/**
 * A test file's gateway apps on one loopback fake provider (started once for the file) with two cloud models,
 * cloud-gpt (OpenAI's wire) and cloud-claude (Anthropic's): `open()` gives an app on a fresh data directory with the
 * fake's scripts and requests cleared; `fake()` is the fake, to script and read.
 */
export function useTwoCloudGateway(): { fake: () => FakeLlmServer; open: () => Promise<GatewayApp> } {
  const tempDir = useTempDir();
  let fake: FakeLlmServer | undefined;
  beforeAll(async () => {
    fake = await startFakeLlmServer({ port: 0 });
  });
  afterAll(() => fake?.close());
  const started = () => {
    if (!fake) throw new Error('the fake provider starts in beforeAll: call fake() inside a test');
    return fake;
  };
  return {
    fake: started,
    open: () => {
      started().reset();
      return gatewayApp({
        dataDir: tempDir(),
        fake: started(),
        registry: [cloudSpec('cloud-gpt', 'openai', 9, 8), cloudSpec('cloud-claude', 'anthropic', 8, 6)],
      });
    },
  };
}
