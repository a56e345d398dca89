import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../infra/event-bus';
import { Dispatcher, type HandlerMap } from './dispatcher';
import { silentLogger } from '../infra/logger';
import { startHttpHost, type HttpHost } from './http-host';
import { negotiateEncoding } from './static-compression';

function get(url: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const target = new URL(url);
      const req = request({ host: target.hostname, port: target.port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the browser host compresses what it serves', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-compress-'));
  const script = Buffer.from(
    Array.from({ length: 400 }, (_, i) => `export const line${i} = "chapter ${i} keeps its door blue";`).join('\n'),
  );
  const image = Buffer.alloc(4096, 7);
  let host: HttpHost;
  beforeAll(async () => {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Quire</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), script);
    writeFileSync(join(dir, 'assets', 'cover.png'), image);
    host = await startHttpHost({
      dispatcher: new Dispatcher({} as HandlerMap, silentLogger),
      events: new EventBus(),
      rendererDir: dir,
      port: 0,
    });
  });
  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends Brotli when the browser accepts it, with Vary and a length, decompressing to the same bytes', async () => {
    const r = await get(host.url, '/assets/app.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(r.headers['content-type']).toMatch(/javascript/);
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.body.length).toBeLessThan(script.length / 4);
    expect(brotliDecompressSync(r.body).equals(script)).toBe(true);
    const again = await get(host.url, '/assets/app.js', { 'Accept-Encoding': 'br' });
    expect(again.body.equals(r.body)).toBe(true);
  });

  it('sends gzip to a client without Brotli, and the plain bytes to one that accepts neither', async () => {
    const gz = await get(host.url, '/assets/app.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(gz.body).equals(script)).toBe(true);
    const plain = await get(host.url, '/assets/app.js', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body.equals(script)).toBe(true);
    const refused = await get(host.url, '/assets/app.js', { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(script)).toBe(true);
  });

  it('leaves images as they are', async () => {
    const r = await get(host.url, '/assets/cover.png', { 'Accept-Encoding': 'br, gzip' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers.vary).toBeUndefined();
    expect(r.body.equals(image)).toBe(true);
  });

  it('serves a rebuilt file compressed anew, not the old cached bytes', async () => {
    const rebuilt = Buffer.concat([script, Buffer.from('\nexport const added = "a new scene";')]);
    writeFileSync(join(dir, 'assets', 'app.js'), rebuilt);
    const r = await get(host.url, '/assets/app.js', { 'Accept-Encoding': 'br' });
    expect(brotliDecompressSync(r.body).equals(rebuilt)).toBe(true);
  });
});

describe('negotiateEncoding', () => {
  it('prefers Brotli, honours q-values and refusals, and falls back to identity', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(negotiateEncoding('gzip')).toBe('gzip');
    expect(negotiateEncoding('br;q=0.5, gzip;q=0.9')).toBe('gzip');
    expect(negotiateEncoding('br;q=0, *')).toBe('gzip');
    expect(negotiateEncoding('identity')).toBeNull();
    expect(negotiateEncoding(undefined)).toBeNull();
    expect(negotiateEncoding('*;q=0')).toBeNull();
  });
});
