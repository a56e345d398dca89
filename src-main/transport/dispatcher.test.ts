// What the dispatcher's envelopes say when a handler fails with something that is not a Quire error: never the
// library's own text (Node's errno message, SQLite's), which goes to the log, and a step that fits what happened.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../infra/logger';
import { Dispatcher, type HandlerMap } from './dispatcher';

function dispatcherThrowing(error: () => unknown) {
  const logged: string[] = [];
  const logger: Logger = { info() {}, warn() {}, error: (line) => logged.push(line) };
  const handlers = {
    'settings:get': () => {
      throw error();
    },
  } as unknown as HandlerMap;
  const call = async () => {
    const reply = await new Dispatcher(handlers, logger).call('settings:get', undefined, { transport: 'ipc' });
    if (reply.ok) throw new Error('expected a failure');
    return reply.error;
  };
  return { call, logged };
}

const errno = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: operation not permitted, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
    errno: -1,
  });

describe('the dispatcher’s unexpected errors', () => {
  it('says a file Quire may not read in words, with the step that fixes it, and logs the system’s text', async () => {
    const { call, logged } = dispatcherThrowing(() => errno('EPERM', 'scandir', '/Users/mara/Novel/Drafts'));
    const error = await call();
    expect(error).toEqual({
      code: 'forbidden',
      message:
        "Quire isn't allowed to read “Drafts”. Give Quire access in System Settings → Privacy & Security → Files " +
        'and Folders, then try again.',
      retryable: false,
      advised: true,
    });
    expect(logged.join('\n')).toMatch(/EPERM: operation not permitted, scandir/);
  });

  it('says a missing file in words', async () => {
    const { call } = dispatcherThrowing(() => errno('ENOENT', 'open', '/Users/mara/Novel/Chapter 1.md'));
    const error = await call();
    expect(error.message).toBe(
      'Quire could not find “Chapter 1.md”: it may have been moved, renamed or deleted. Put it back or choose it ' +
        'again, then try again.',
    );
    expect(error.advised).toBe(true);
  });

  it('never shows SQLite’s own words', async () => {
    const db = new Database(':memory:');
    const { call, logged } = dispatcherThrowing(() => {
      try {
        db.prepare('SELECT * FROM no_such_table').all();
      } catch (sqlite) {
        return sqlite;
      }
    });
    const error = await call();
    expect(error.code).toBe('storage_error');
    expect(error.message).toBe('Quire could not read or save its library.');
    expect(error.message).not.toMatch(/no such table|SQLITE/);
    expect(logged.join('\n')).toMatch(/no such table: no_such_table/);
  });

  it.each([
    ['SQLITE_BUSY', 'Another Quire kept its library busy, so nothing was changed. Try again in a moment.', true],
    [
      'SQLITE_CORRUPT',
      'Quire’s library file is damaged, so this could not be done. Quit Quire, put back quire.sqlite from a backup ' +
        '(such as Time Machine), then open Quire again.',
      false,
    ],
  ] as const)('says what %s means and what to do', async (code, message, retryable) => {
    const { call } = dispatcherThrowing(() => Object.assign(new Error(`${code}: raw words`), { code }));
    expect(await call()).toEqual({ code: 'storage_error', message, retryable, advised: true });
  });

  it('keeps anything else to the log: the writer reads that Quire hit an unexpected error, not its text', async () => {
    const { call, logged } = dispatcherThrowing(
      () => new TypeError("Cannot read properties of undefined (reading 'x')"),
    );
    const error = await call();
    expect(error).toEqual({ code: 'internal', message: 'Quire hit an unexpected error.', retryable: false });
    expect(logged.join('\n')).toMatch(/Cannot read properties of undefined/);
  });

  it('says a pasted passage that is too long with its length, as the schema refused it', async () => {
    const dispatcher = new Dispatcher({ 'runs:start': () => null } as unknown as HandlerMap, {
      info() {},
      warn() {},
      error() {},
    });
    const reply = await dispatcher.call(
      'runs:start',
      { task: 'scene_draft', input: 'x'.repeat(2_500_000) },
      { transport: 'http' },
    );
    expect(!reply.ok && reply.error).toMatchObject({
      code: 'invalid_input',
      message:
        'input: This passage is too long to paste (2,500,000 characters; up to 2,000,000). Open it as a manuscript ' +
        'instead.',
      advised: true,
    });
  });
});
