// A long manuscript is opened and read back with the app's other calls answered meanwhile, every step of it: reading
// its file, counting and hashing its text, storing it, reading it again. Checked by the calls answered while it is
// stored and read (events, not timings), and its text by what comes back.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Channel, Envelope, Input, Output } from '../../src-preload/contract';
import type { App } from '../app/create-app';
import { useTempDir } from '../../test/support/temp-dir';
import { useTestApp } from '../../test/support/test-app';
import { DocumentsRepo } from './documents-repo';

const testApp = useTestApp();
const tempDir = useTempDir('quire-manuscript-long-');
const internal = { transport: 'internal' as const };
afterEach(() => void vi.restoreAllMocks());

async function call<C extends Channel>(app: App, channel: C, input: Input<C>): Promise<Envelope<Output<C>>> {
  return (await app.dispatcher.call(channel, input, internal)) as Envelope<Output<C>>;
}

/**
 * Asks the app for its settings once every turn of the event loop (as requests arriving would), until stopped:
 * `answered()` is how many were answered so far.
 */
function otherCalls(app: App) {
  let answered = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      await new Promise((resolve) => setImmediate(resolve));
      await call(app, 'settings:get', undefined);
      answered++;
    }
  })();
  return {
    answered: () => answered,
    stop: () => {
      on = false;
      return loop;
    },
  };
}

/** How many other calls were answered during each call of `method` (sync or async) of every DocumentsRepo. */
function answeredDuring(method: 'insert' | 'get', answered: () => number): number[] {
  const during: number[] = [];
  const original = DocumentsRepo.prototype[method] as (...args: unknown[]) => unknown;
  vi.spyOn(DocumentsRepo.prototype, method).mockImplementation(async function (
    this: DocumentsRepo,
    ...args: unknown[]
  ) {
    const before = answered();
    const result = await original.apply(this, args);
    during.push(answered() - before);
    return result as never;
  });
  return during;
}

describe('a long manuscript', () => {
  it('is stored and read back with other calls answered meanwhile, its text whole to the last emoji', async () => {
    const app = await testApp.app();
    // One million characters, an emoji every five: the halves of some are where the text is cut to be stored and
    // hashed, and must not be cut apart.
    const text = 'abc😀'.repeat(200_000);
    const path = join(tempDir(), 'Long.md');
    writeFileSync(path, text);
    const others = otherCalls(app);
    const storing = answeredDuring('insert', others.answered);
    const reading = answeredDuring('get', others.answered);
    const opened = await call(app, 'manuscripts:open', { path });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const got = await call(app, 'manuscripts:get', { id: opened.value.id });
    await others.stop();
    // Stored at once, no call was answered until it was done.
    expect(storing).toHaveLength(1);
    expect(storing[0]).toBeGreaterThan(0);
    expect(reading).toHaveLength(1);
    expect(reading[0]).toBeGreaterThan(0);
    expect(opened.value.text === text && got.ok && got.value.text === text).toBe(true);
    expect(got.ok && got.value).toEqual(opened.value);
    // Its SHA-256 is the whole text's: a run given the text finds the manuscript (and its numbering).
    const sha256 = createHash('sha256').update(text).digest('hex');
    expect(app.services.db.prepare('SELECT id FROM documents WHERE sha256 = ?').get(sha256)).toEqual({
      id: opened.value.id,
    });
    expect(await app.services.manuscripts.structureOf(text)).toBeDefined();
  });

  it('pieces stored for a manuscript whose row never came (Quire quit meanwhile) are removed at start-up', async () => {
    const dataDir = tempDir();
    const first = await testApp.app({ dataDir });
    first.services.db
      .prepare('INSERT INTO document_pieces (document_id, position, text) VALUES (?, ?, ?)')
      .run('cut-short', 0, 'Half a book.');
    await first.close();
    const again = await testApp.app({ dataDir });
    expect(again.services.db.prepare('SELECT COUNT(*) AS n FROM document_pieces').get()).toEqual({ n: 0 });
  });
});
