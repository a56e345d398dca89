// Group commit for the money path. A charge's writes commit at once (so the budget check of the next call sees them,
// in this process and every other), but without SQLite's own fsync on the event loop: the write-ahead log is fsynced
// on libuv's thread pool instead, and every commit made while one fsync is in flight shares the next one. A caller is
// told its write is done only once an fsync that started after its commit has finished, so an acknowledged charge
// survives a crash (power cut included) exactly as with synchronous=FULL — one fsync per batch instead of per commit.
import { open } from 'node:fs/promises';
import type { Db } from './database';
import { immediate } from './write';

export interface GroupCommitOptions {
  /** Makes everything committed so far durable (default: fsync the database's -wal file). Tests hold it. */
  sync?: () => Promise<void>;
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  /** Commits made without SQLite's fsync, and how many of them an fsync has covered. */
  private committed = 0;
  private synced = 0;
  private flushing = false;
  private waiters: Waiter[] = [];
  private readonly sync: () => Promise<void>;
  private readonly relaxed: () => void;
  private readonly strict: () => void;

  constructor(
    private readonly db: Db,
    options: GroupCommitOptions = {},
  ) {
    // An in-memory database has nothing to fsync: SQLite's own commit is all there is.
    const inMemory = db.memory || db.name === '' || db.name === ':memory:';
    this.sync = options.sync ?? (inMemory ? () => Promise.resolve() : walSync(`${db.name}-wal`));
    const normal = db.prepare('PRAGMA synchronous = NORMAL');
    const full = db.prepare('PRAGMA synchronous = FULL');
    this.relaxed = () => void normal.run();
    this.strict = () => void full.run();
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction that commits without waiting for the disk, then returns its result and a
   * promise that settles once the commit is on disk. Every other write on the connection keeps synchronous=FULL.
   * Inside a caller's transaction `fn` is part of it, and durable when that one commits.
   */
  write<T>(fn: () => T): { value: T; durable: Promise<void> } {
    if (this.db.inTransaction) return { value: fn(), durable: Promise.resolve() };
    this.relaxed();
    let value: T;
    try {
      value = immediate(this.db, fn)();
    } finally {
      this.strict();
    }
    this.committed++;
    return { value, durable: this.durable() };
  }

  /** Settles once everything committed through {@link write} so far is on disk. */
  durable(): Promise<void> {
    const upTo = this.committed;
    if (this.synced >= upTo) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ upTo, resolve, reject });
      this.flush();
    });
  }

  /** One fsync at a time; commits made while it runs wait for the next, which covers all of them. */
  private flush(): void {
    if (this.flushing || this.waiters.length === 0) return;
    this.flushing = true;
    const upTo = this.committed;
    this.sync().then(
      () => {
        this.synced = Math.max(this.synced, upTo);
        this.flushing = false;
        const done = this.waiters.filter((w) => w.upTo <= this.synced);
        this.waiters = this.waiters.filter((w) => w.upTo > this.synced);
        for (const w of done) w.resolve();
        this.flush();
      },
      (error: unknown) => {
        // Nothing after this point can be promised durable: every waiter hears of it (their calls fail, not lie).
        this.flushing = false;
        const failed = this.waiters;
        this.waiters = [];
        for (const w of failed) w.reject(error);
      },
    );
  }
}

/**
 * fsync of the write-ahead log, opened for each flush (no descriptor outlives the database; SQLite keeps the file as
 * long as a connection is open, so the file synced is the one the commits went to).
 */
function walSync(path: string): () => Promise<void> {
  return async () => {
    const handle = await open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
}

const commits = new WeakMap<Db, GroupCommit>();

/** The connection's one group commit (every writer on it must share it: one fsync covers all their commits). */
export function groupCommitOf(db: Db, options?: GroupCommitOptions): GroupCommit {
  let group = commits.get(db);
  if (!group) commits.set(db, (group = new GroupCommit(db, options)));
  return group;
}
