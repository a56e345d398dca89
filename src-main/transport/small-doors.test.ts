// The small doors of the browser host (issue 14, item 6): malformed percent-encodings, a full disk, the event
// stream's Origin and Host guards, and a runs:start for a task that does not exist.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { rawRequest } from '../../test/support/raw-request';
import { useTestApp } from '../../test/support/test-app';
import { silentLogger } from '../infra/logger';
import { Dispatcher, type HandlerMap } from './dispatcher';

describe('the small doors', () => {
  const testApp = useTestApp();

  it('answers a malformed percent-encoding in an /api path, or a target that is no URL, with 400, not a 500', async () => {
    const { host } = await testApp.host();
    for (const path of ['/api/%', '/api/%zz', '/api/settings%3Aget%', '/%E0%A4%A', 'http://[']) {
      const reply = await rawRequest(host.url, {
        path,
        method: path.startsWith('/api/') ? 'POST' : 'GET',
        headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json' },
      });
      expect(reply.status, path).toBe(400);
      expect(reply.body).not.toMatch(/URIError/);
    }
  });

  it('refuses the event stream to a foreign Origin, as /api does', async () => {
    const { host } = await testApp.host();
    const foreign = await rawRequest(host.url, {
      path: '/api/events',
      method: 'GET',
      headers: { Host: `127.0.0.1:${host.port}`, Origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.body).not.toMatch(/event: ready/);
    const own = await rawRequest(host.url, {
      path: '/api/events',
      method: 'GET',
      headers: { Host: `127.0.0.1:${host.port}`, Origin: `http://127.0.0.1:${host.port}` },
    });
    expect(own.status).toBe(200);
  });

  it('refuses the event stream to a foreign Host (DNS rebinding)', async () => {
    const { host } = await testApp.host();
    const rebound = await rawRequest(host.url, {
      path: '/api/events',
      method: 'GET',
      headers: { Host: `evil.example:${host.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toMatch(/event: ready/);
  });

  it('stores no run for a runs:start naming a task that does not exist', async () => {
    const { call } = await testApp.host();
    const reply = await call('runs:start', { task: 'no-such-task', input: 'Chapter one.' });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/no-such-task/) });
    expect((await call('runs:list', {})).body.value.runs).toEqual([]);
  });

  it('answers a full disk (SQLITE_FULL, ENOSPC) with storage_error and advice to free some space', async () => {
    const full = (code: string) => Object.assign(new Error(`${code}: database or disk is full`), { code });
    // A real SQLite database that has run out of room (max_page_count stands in for the disk).
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x TEXT)');
    db.pragma('max_page_count = 3');
    const handlers = {
      'settings:get': () => {
        for (;;) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(4096));
      },
      'models:installed': () => {
        throw full('ENOSPC');
      },
    } as unknown as HandlerMap;
    const dispatcher = new Dispatcher(handlers, silentLogger);
    for (const channel of ['settings:get', 'models:installed']) {
      const reply = await dispatcher.call(channel, undefined, { transport: 'http' });
      expect(reply.ok).toBe(false);
      if (reply.ok) continue;
      expect(reply.error.code).toBe('storage_error');
      expect(reply.error.message).toMatch(/free some space/);
      // Its own advice: the general "check free disk space and permissions" would only repeat it.
      expect(reply.error.advised).toBe(true);
    }
  });
});
