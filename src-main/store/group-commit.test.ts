import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { openDatabase } from './database';
import { GroupCommit, type Committed } from './group-commit';

const tempDir = useTempDir();

/** An fsync the test lets finish one at a time. */
function heldSync() {
  const pending: (() => void)[] = [];
  const failing: ((error: Error) => void)[] = [];
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        pending.push(resolve);
        failing.push(reject);
      }),
    get started() {
      return pending.length;
    },
    finish(i: number) {
      pending[i]!();
    },
    fail(i: number, error: Error) {
      failing[i]!(error);
    },
  };
}

function table(file: string) {
  const db = openDatabase(join(tempDir(), file));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT');
  const insert = db.prepare<[string]>('INSERT INTO t (v) VALUES (?)');
  return { db, insert: (v: string) => () => insert.run(v) };
}

describe('GroupCommit', () => {
  it('acknowledges a write only after an fsync that started after its commit; writes committed during an fsync share the next one', async () => {
    const { db, insert } = table('a.sqlite');
    const disk = heldSync();
    const group = new GroupCommit(db, { sync: disk.sync });
    const acked: string[] = [];
    const ack = (name: string) => (w: { durable: Promise<void> }) => void w.durable.then(() => acked.push(name));
    ack('a')(group.write(insert('a')));
    expect(disk.started).toBe(1);
    // Committed at once: another connection (another process) sees it, so its budget check counts it.
    const other = new Database(db.name);
    expect(other.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
    ack('b')(group.write(insert('b')));
    ack('c')(group.write(insert('c')));
    await Promise.resolve();
    expect(acked).toEqual([]);
    expect(disk.started).toBe(1);

    disk.finish(0);
    await new Promise((r) => setImmediate(r));
    // a's fsync began before b and c committed: it covers a only; one more fsync covers both.
    expect(acked).toEqual(['a']);
    expect(disk.started).toBe(2);
    disk.finish(1);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['a', 'b', 'c']);
    expect(disk.started).toBe(2);
    // Every other write on the connection still commits with SQLite's own fsync.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    other.close();
    db.close();
  });

  it('a failed fsync fails every write waiting on it, and a failed transaction writes nothing and waits for nothing', async () => {
    const { db, insert } = table('b.sqlite');
    const disk = heldSync();
    const group = new GroupCommit(db, { sync: disk.sync });
    const first = group.write(insert('a'));
    const second = group.write(insert('b'));
    disk.fail(0, new Error('EIO: disk gone'));
    await expect(first.durable).rejects.toThrow(/EIO/);
    await expect(second.durable).rejects.toThrow(/EIO/);
    expect(() =>
      group.write(() => {
        insert('c')();
        throw new Error('refused');
      }),
    ).toThrow(/refused/);
    expect(db.prepare('SELECT v FROM t ORDER BY id').pluck().all()).toEqual(['a', 'b']);
    expect(disk.started).toBe(1);
    db.close();
  });

  it('fsyncs the real write-ahead log by default', async () => {
    const { db, insert } = table('c.sqlite');
    const group = new GroupCommit(db);
    const writes = Array.from({ length: 20 }, (_, i) => group.write(insert(`v${i}`)));
    await Promise.all(writes.map((w) => w.durable));
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(20);
    db.close();
  });

  it.runIf(existsSync('/proc/self/fd'))(
    'keeps one descriptor on the write-ahead log for every flush and closes it with the database',
    async () => {
      const { db, insert } = table('d.sqlite');
      const wal = `${db.name}-wal`;
      const walDescriptors = () =>
        readdirSync('/proc/self/fd').filter((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`) === wal;
          } catch {
            return false; // closed between the listing and the read
          }
        }).length;
      const sqliteOwn = walDescriptors();
      const group = new GroupCommit(db);
      for (let round = 0; round < 5; round++) await group.write(insert(`v${round}`)).durable;
      expect(walDescriptors()).toBe(sqliteOwn + 1);
      db.close();
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(walDescriptors()).toBe(0);
    },
  );

  it('queued writes commit at once when nothing is in flight, and share one transaction (a savepoint each) while an fsync runs', async () => {
    const { db, insert } = table('e.sqlite');
    const disk = heldSync();
    const group = new GroupCommit(db, { sync: disk.sync });
    const other = new Database(db.name);
    const version = () => other.pragma('data_version', { simple: true }) as number;
    const rows = () => other.prepare('SELECT v FROM t ORDER BY id').pluck().all();

    const durable = <T>(committed: Promise<Committed<T>>) => committed.then((c) => c.durable.then(() => c.value));
    const first = durable(group.queue(() => (insert('a')(), 'a')));
    expect(rows()).toEqual(['a']); // committed before queue() returned: the next budget check counts it
    expect(disk.started).toBe(1);

    const before = version();
    const b = durable(group.queue(() => (insert('b')(), 'b')));
    const c = group.queue(() => {
      insert('c')();
      throw new Error('over budget');
    });
    const refused = c.catch((error: unknown) => error);
    const d = durable(group.queue(() => (insert('d')(), 'd')));
    expect(rows()).toEqual(['a']); // waiting for the end of this turn of the event loop
    await new Promise((r) => setImmediate(r));
    expect(rows()).toEqual(['a', 'b', 'd']);
    expect(version() - before).toBe(1); // one commit for the three
    expect(await refused).toEqual(new Error('over budget')); // rolled back alone, told at once

    const acked: string[] = [];
    for (const [name, p] of [
      ['a', first],
      ['b', b],
      ['d', d],
    ] as const)
      void p.then(() => acked.push(name));
    disk.finish(0);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['a']); // b and d committed after the fsync in flight began
    disk.finish(1);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['a', 'b', 'd']);
    other.close();
    db.close();
  });

  it('a write that rides starts no fsync: the next one another write starts covers it; a batch rides only if every write in it does', async () => {
    const { db, insert } = table('f.sqlite');
    const disk = heldSync();
    const group = new GroupCommit(db, { sync: disk.sync });
    const acked: string[] = [];
    const ack = (name: string) => (w: { durable: Promise<void> }) => void w.durable.then(() => acked.push(name));
    ack('a')(group.write(insert('a'), { rides: () => true }));
    ack('b')(group.write(insert('b'), { rides: () => false }));
    expect(disk.started).toBe(1); // b's, covering a too
    disk.finish(0);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['a', 'b']);

    // Queued behind an fsync in flight: a batch of riders starts none once that one ends; one that must wait does.
    ack('c')(group.write(insert('c')));
    expect(disk.started).toBe(2);
    const riders = [group.queue(insert('d'), { rides: () => true }), group.queue(insert('e'), { rides: () => true })];
    await new Promise((r) => setImmediate(r));
    for (const [i, p] of riders.entries()) void p.then((w) => ack(['d', 'e'][i]!)(w));
    disk.finish(1);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['a', 'b', 'c']);
    expect(disk.started).toBe(2); // d and e wait for a later fsync without starting one
    const mixed = [group.queue(insert('f'), { rides: () => true }), group.queue(insert('g'))];
    for (const [i, p] of mixed.entries()) void p.then((w) => ack(['f', 'g'][i]!)(w));
    await new Promise((r) => setImmediate(r));
    expect(disk.started).toBe(3);
    disk.finish(2);
    await new Promise((r) => setImmediate(r));
    expect(acked).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    db.close();
  });
});
