// The gateway bench's Portkey stays on loopback (bench/portkey-loopback.mjs): it listens on 127.0.0.1 only, and its
// fetch reaches 127.0.0.1 or localhost only. Checked with 127.0.0.2, which is loopback too on Linux: if either guard
// broke, the traffic would still stay on this machine, and the test would see it arrive. Portkey's own check of custom
// hosts is told to let 127.0.0.2 through (its TRUSTED_CUSTOM_HOSTS), so only the preload's guard stands in the way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlmServer, type FakeLlmServer } from '../test/support/fake-llm-server';
import { startPortkey, type Portkey } from './portkey';

/** Resolves true when a TCP connection to host:port opens, false when it is refused. */
function opens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// 127.0.0.2 answers on Linux only (macOS configures 127.0.0.1 alone): elsewhere these tests are reported skipped.
describe.runIf(process.platform === 'linux')("the gateway bench's Portkey", () => {
  let portkey: Portkey;
  let provider: FakeLlmServer;
  /** A server on 127.0.0.2: any request Portkey sends there is recorded. */
  let elsewhere: Server;
  let reachedElsewhere = 0;

  const trusted = process.env.TRUSTED_CUSTOM_HOSTS;
  beforeAll(async () => {
    // Portkey's own default (localhost, 127.0.0.1, ::1, host.docker.internal) with 127.0.0.2 added.
    process.env.TRUSTED_CUSTOM_HOSTS = 'localhost,127.0.0.1,::1,host.docker.internal,127.0.0.2';
    let started: Awaited<ReturnType<typeof startPortkey>>;
    try {
      started = await startPortkey();
    } finally {
      if (trusted === undefined) delete process.env.TRUSTED_CUSTOM_HOSTS;
      else process.env.TRUSTED_CUSTOM_HOSTS = trusted;
    }
    if (typeof started === 'string') throw new Error(started);
    portkey = started;
    provider = await startFakeLlmServer();
    provider.script('primary', { text: 'The door stays blue.' });
    elsewhere = createServer((_req, res) => {
      reachedElsewhere++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.2', resolve));
  });

  afterAll(async () => {
    await portkey?.close();
    await provider?.close();
    await new Promise<void>((resolve) => (elsewhere ? elsewhere.close(() => resolve()) : resolve()));
  });

  const client = (providerBaseUrl: string) =>
    new OpenAI({
      baseURL: portkey.baseURL,
      apiKey: 'x',
      maxRetries: 0,
      defaultHeaders: portkey.headers(providerBaseUrl),
    });

  it('listens on 127.0.0.1 only', async () => {
    const port = Number(new URL(portkey.baseURL).port);
    expect(new URL(portkey.baseURL).hostname).toBe('127.0.0.1');
    expect(await opens('127.0.0.1', port)).toBe(true);
    expect(await opens('127.0.0.2', port)).toBe(false);
  });

  it('forwards a call to the loopback provider, as the bench measures it', async () => {
    const completion = await client(provider.openaiBaseUrl).chat.completions.create({
      model: 'primary',
      messages: [{ role: 'user', content: 'Check chapter 3.' }],
    });
    expect(completion.choices[0]?.message.content).toBe('The door stays blue.');
  });

  it('refuses to send a call to any other host, and nothing arrives there', async () => {
    const { port } = elsewhere.address() as AddressInfo;
    await expect(
      client(`http://127.0.0.2:${port}/v1`).chat.completions.create({
        model: 'primary',
        messages: [{ role: 'user', content: 'Check chapter 3.' }],
      }),
    ).rejects.toThrow(/may only reach loopback, not 127\.0\.0\.2/);
    expect(reachedElsewhere).toBe(0);
  });
});
