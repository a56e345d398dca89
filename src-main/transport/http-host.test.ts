import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawRequest } from '../../test/support/raw-request';
import { useTestApp } from '../../test/support/test-app';
import { startHttpHost } from './http-host';

describe('HTTP host', () => {
  const testApp = useTestApp();

  it('serves settings:get and settings:set as envelopes', async () => {
    const { call } = await testApp.host();
    const got = await call('settings:get');
    expect(got.status).toBe(200);
    expect(got.body.value.orchestrator.quality_tier).toBe('balanced');
    const set = await call('settings:set', { orchestrator: { quality_tier: 'budget' } });
    expect(set.body).toMatchObject({ ok: true, value: { orchestrator: { quality_tier: 'budget' } } });
  });

  it('answers a wrong type with invalid_input naming the path, and writes nothing', async () => {
    const { call, app } = await testApp.host();
    const reply = await call('settings:set', { orchestrator: { quality_tier: 'luxury' } });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({
      code: 'invalid_input',
      path: 'orchestrator.quality_tier',
      retryable: false,
    });
    expect(app.services.settings.get().orchestrator.quality_tier).toBe('balanced');
  });

  it('refuses unknown keys rather than ignoring them', async () => {
    const { call } = await testApp.host();
    const reply = await call('settings:set', { orchestrator: { qualty_tier: 'premium' } });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('invalid_input');
  });

  it('answers malformed JSON with 400 and a JSON-specific message', async () => {
    const { host } = await testApp.host();
    const reply = await rawRequest(host.url, {
      path: '/api/settings:set',
      headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json' },
      body: '{"orchestrator": ',
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/not valid JSON/),
    });
  });

  it('answers an unknown channel with 404 unknown_channel', async () => {
    const { call } = await testApp.host();
    const reply = await call('settings:explode', {});
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('unknown_channel');
  });

  it('answers a body over 1 MB with 413 and writes nothing', async () => {
    const { host, app } = await testApp.host();
    const big = JSON.stringify({ orchestrator: { active_pack: 'x'.repeat(1024 * 1024 + 10) } });
    const reply = await rawRequest(host.url, {
      path: '/api/settings:set',
      headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json' },
      body: big,
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).error.code).toBe('payload_too_large');
    expect(app.services.settings.get().orchestrator.active_pack).toBe('mixed');
  });

  it('answers 403 to a foreign Host header (DNS rebinding) and sends no CORS headers', async () => {
    const { host } = await testApp.host();
    const rebinding = await rawRequest(host.url, {
      path: '/api/settings:get',
      headers: { Host: `evil.example:${host.port}`, 'Content-Type': 'application/json' },
    });
    expect(rebinding.status).toBe(403);
    const ok = await rawRequest(host.url, {
      path: '/api/settings:get',
      headers: { Host: `localhost:${host.port}`, 'Content-Type': 'application/json', Origin: 'https://evil.example' },
    });
    expect(ok.status).toBe(403);
    expect(ok.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a non-JSON content type (a cross-site form post)', async () => {
    const { host, app } = await testApp.host();
    const reply = await rawRequest(host.url, {
      path: '/api/settings:set',
      headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'text/plain' },
      body: JSON.stringify({ orchestrator: { quality_tier: 'premium' } }),
    });
    expect(reply.status).toBe(415);
    expect(app.services.settings.get().orchestrator.quality_tier).toBe('balanced');
  });

  it('listens on loopback only', async () => {
    const { host } = await testApp.host();
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('pushes events over Server-Sent Events', async () => {
    const { host, call } = await testApp.host();
    const controller = new AbortController();
    const response = await fetch(`${host.url}/api/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('event: ready')) text += decoder.decode((await reader.read()).value);
    await call('settings:set', { orchestrator: { prefer_local: true } });
    while (!text.includes('settings:changed')) text += decoder.decode((await reader.read()).value);
    const frame = text.split('\n').find((line) => line.startsWith('data: {"name"'))!;
    expect(JSON.parse(frame.slice(6))).toMatchObject({
      name: 'settings:changed',
      payload: { orchestrator: { prefer_local: true } },
    });
    controller.abort();
  });

  it('serves the renderer with a CSP that forbids inline and remote scripts', async () => {
    const { createApp } = await import('../app/create-app');
    const { startHttpHost } = await import('./http-host');
    const { silentLogger } = await import('../infra/logger');
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'quire-renderer-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Quire</title>');
    writeFileSync(join(dir, 'assets', 'a.js'), 'console.log(1)');
    const app = await createApp({ dataDir: join(dir, 'data'), logger: silentLogger });
    const host = await startHttpHost({ dispatcher: app.dispatcher, events: app.events, rendererDir: dir, port: 0 });
    try {
      const page = await fetch(`${host.url}/settings`);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https?:)/);
      expect((await fetch(`${host.url}/assets/a.js`)).headers.get('content-type')).toMatch(/javascript/);
      const traversal = await rawRequest(host.url, {
        path: '/../../etc/passwd',
        method: 'GET',
        headers: { Host: `127.0.0.1:${host.port}` },
      });
      expect(traversal.body).not.toContain('root:');
    } finally {
      await host.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP host, a failure no door expected', () => {
  const testApp = useTestApp();

  it('answers in Quire’s words and logs the detail: never the error’s own text in a 500', async () => {
    const logged: string[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (line: string) => void logged.push(line) };
    const app = await testApp.app({ logger });
    // A dispatcher that breaks before any handler runs (the host's last resort), with a path in its words.
    const dispatcher = Object.create(app.dispatcher) as typeof app.dispatcher;
    dispatcher.has = ((): boolean => {
      throw new TypeError('Cannot read properties of undefined (reading "split") at /Users/ada/secret/quire.js');
    }) as unknown as typeof dispatcher.has;
    const host = await startHttpHost({ dispatcher, events: app.events, rendererDir: null, port: 0 });
    try {
      const reply = await fetch(`${host.url}/api/settings:get`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '',
      });
      expect(reply.status).toBe(500);
      const body = (await reply.json()) as { ok: boolean; error: { code: string; message: string } };
      expect(body).toMatchObject({ ok: false, error: { code: 'internal', message: 'Quire hit an unexpected error.' } });
      expect(logged.join('\n')).toContain('Cannot read properties of undefined');
    } finally {
      await host.close();
    }
  });
});
