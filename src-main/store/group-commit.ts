// Group commit for the money path. A charge's writes commit at once (so the budget check of the next call sees them,
// in this process and every other), but without SQLite's own fsync on the event loop: the write-ahead log is fsynced
// on libuv's thread pool instead, and every commit made while one fsync is in flight shares the next one. A caller is
// told its write is done only once an fsync that started after its commit has finished, so an acknowledged charge
// survives a crash (power cut included) exactly as with synchronous=FULL — one fsync per batch instead of per commit.
// A commit that moves only what is covered on disk already (a call taken out of the standing hold) rides: it starts no
// fsync, and the next one another commit starts covers it (a call's settlement): one fsync per call instead of two.
import { close, fdatasync, open } from 'node:fs';
import type { Db } from './database';
import { immediate } from './write';

export interface GroupCommitOptions {
  /** Makes everything committed so far durable (default: fsync the database's -wal file). Tests hold it. */
  sync?: () => Promise<void>;
}

/** A write committed (visible to every process), and the promise of that commit on disk. */
export interface Committed<T> {
  value: T;
  durable: Promise<void>;
}

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface WriteOptions<T> {
  /**
   * True (given what `fn` returned): the commit starts no fsync of its own; it is on disk with the next one another
   * write starts (every commit that must be on disk before its caller goes on starts one). For a commit nothing waits
   * on, such as a call taken out of the standing hold (covered on disk already): one fsync per call instead of two.
   */
  rides?: (value: T) => boolean;
}

export class GroupCommit {
  /** Commits made without SQLite's fsync, and how many of them an fsync has covered. */
  private committed = 0;
  private synced = 0;
  private flushing = false;
  private waiters: Waiter[] = [];
  /** Commits that started no fsync: settled by the next one another commit starts. */
  private riders: Waiter[] = [];
  private readonly sync: () => Promise<void>;
  private readonly relaxed: () => void;
  private readonly strict: () => void;
  /** Inside the batch's transaction: `fn` in a savepoint, rolled back alone when it throws. */
  private readonly savepoint: <T>(fn: () => T) => T;

  constructor(
    private readonly db: Db,
    options: GroupCommitOptions = {},
  ) {
    // An in-memory database has nothing to fsync: SQLite's own commit is all there is.
    const inMemory = db.memory || db.name === '' || db.name === ':memory:';
    this.sync = options.sync ?? (inMemory ? () => Promise.resolve() : walSync(db, `${db.name}-wal`));
    const normal = db.prepare('PRAGMA synchronous = NORMAL');
    const full = db.prepare('PRAGMA synchronous = FULL');
    this.relaxed = () => void normal.run();
    this.strict = () => void full.run();
    this.savepoint = db.transaction((fn: () => unknown) => fn()) as unknown as <T>(fn: () => T) => T;
  }

  /**
   * Runs `fn` as one IMMEDIATE transaction that commits without waiting for the disk, then returns its result and a
   * promise that settles once the commit is on disk. Every other write on the connection keeps synchronous=FULL.
   * Inside a caller's transaction `fn` is part of it, and durable when that one commits.
   */
  write<T>(fn: () => T, options: WriteOptions<T> = {}): Committed<T> {
    if (this.db.inTransaction) return { value: fn(), durable: Promise.resolve() };
    this.relaxed();
    let value: T;
    try {
      value = immediate(this.db, fn)();
    } finally {
      this.strict();
    }
    this.committed++;
    return { value, durable: options.rides?.(value) ? this.ride() : this.durable() };
  }

  /**
   * Like {@link write}, resolving once `fn` has committed (with the promise of its commit on disk). While an fsync is
   * in flight (calls are running at once), `fn` waits for the end of this turn of the event loop and shares one
   * transaction with every write queued meanwhile, each in a savepoint of its own (one that throws is rolled back
   * alone and rejects alone): one BEGIN and COMMIT for the batch instead of one per write. With nothing in flight it
   * commits at once.
   */
  queue<T>(fn: () => T, options: WriteOptions<T> = {}): Promise<Committed<T>> {
    if (this.db.inTransaction || (!this.flushing && this.queued.length === 0)) {
      try {
        return Promise.resolve(this.write(fn, options));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return new Promise<Committed<T>>((resolve, reject) => {
      this.queued.push({
        fn,
        rides: options.rides as ((value: unknown) => boolean) | undefined,
        resolve: resolve as (committed: Committed<unknown>) => void,
        reject,
      });
      if (this.queued.length === 1) setImmediate(() => this.commitQueued());
    });
  }

  private queued: {
    fn: () => unknown;
    rides: ((value: unknown) => boolean) | undefined;
    resolve: (committed: Committed<unknown>) => void;
    reject: (error: unknown) => void;
  }[] = [];

  private commitQueued(): void {
    const batch = this.queued;
    this.queued = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    let durable: Promise<void>;
    // The batch rides the next fsync when every write in it that wrote anything would.
    const rides = () =>
      batch.every((item, i) => {
        const outcome = outcomes[i]!;
        return !outcome.ok || item.rides?.(outcome.value) === true;
      });
    try {
      durable = this.write(
        () => {
          outcomes.length = 0; // a transaction retried after another process's lock runs every write again
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: this.savepoint(item.fn) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        },
        { rides },
      ).durable;
    } catch (error) {
      // The batch's transaction itself failed (the lock never came): nothing of it was written.
      for (const item of batch) item.reject(error);
      return;
    }
    void durable.catch(() => undefined); // each write that committed hears of a failed fsync through its own wait
    // A write that threw wrote nothing: it hears of its own error.
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve({ value: outcome.value, durable });
      else item.reject(outcome.error);
    });
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

  /** Settles once an fsync another commit starts covers everything committed so far; starts none. */
  private ride(): Promise<void> {
    const upTo = this.committed;
    if (this.synced >= upTo) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.riders.push({ upTo, resolve, reject }));
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
        const done = [...this.waiters, ...this.riders]
          .filter((w) => w.upTo <= this.synced)
          .sort((a, b) => a.upTo - b.upTo); // told in the order they committed
        this.waiters = this.waiters.filter((w) => w.upTo > this.synced);
        this.riders = this.riders.filter((w) => w.upTo > this.synced);
        for (const w of done) w.resolve();
        this.flush();
      },
      (error: unknown) => {
        // Nothing after this point can be promised durable: every waiter hears of it (their calls fail, not lie).
        this.flushing = false;
        const failed = [...this.waiters, ...this.riders];
        this.waiters = [];
        this.riders = [];
        for (const w of failed) w.reject(error);
      },
    );
  }
}

/**
 * fdatasync of the write-ahead log through one descriptor, opened at the first flush and closed with the database
 * (SQLite keeps the -wal file, the same file, for as long as a connection is open, so the file synced is the one the
 * commits went to). fdatasync is what SQLite itself uses on Linux: it flushes the data and the size that reads depend
 * on. On macOS libuv makes it fcntl(F_FULLFSYNC), which also empties the drive's write cache: stronger than SQLite's
 * own fsync there (which only F_FULLFSYNCs with PRAGMA fullfsync) and slower, which batching is for.
 */
function walSync(db: Db, path: string): () => Promise<void> {
  let fd: Promise<number> | null = null;
  let inFlight = 0;
  let closing = false;
  const release = () => {
    const opened = fd;
    fd = null;
    void opened?.then((n) => close(n, () => undefined)).catch(() => undefined);
  };
  // The descriptor outlives no connection: closed with the database, once no fdatasync is using it.
  const closeDb = db.close.bind(db);
  db.close = () => {
    closing = true;
    if (inFlight === 0) release();
    return closeDb();
  };
  return async () => {
    fd ??= new Promise<number>((resolve, reject) => open(path, 'r+', (e, n) => (e ? reject(e) : resolve(n))));
    const opened = fd;
    inFlight++;
    try {
      const n = await opened;
      await new Promise<void>((resolve, reject) => fdatasync(n, (e) => (e ? reject(e) : resolve())));
    } catch (error) {
      // A descriptor that failed to open is not kept: the next flush tries again.
      if (fd === opened) fd = null;
      throw error;
    } finally {
      inFlight--;
      if (closing && inFlight === 0) release();
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
