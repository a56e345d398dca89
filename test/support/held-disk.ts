// The disk as the ledger's group commit sees it (its `sync`, store/group-commit.ts): every fsync passes at once until
// the test holds the disk, then each waits for release; the next one can be made to fail.
export interface HeldDisk {
  sync: () => Promise<void>;
  /** From now on each fsync waits for release. */
  hold: () => void;
  /** Every fsync waiting, and each one after, passes. */
  release: () => void;
  /** Fsyncs waiting now. */
  readonly waiting: number;
  /** Settles when the next fsync starts. */
  nextSync: () => Promise<void>;
  /** The next fsync fails (EIO). */
  failNextSync: () => void;
}

export function heldDisk(options: { held?: boolean } = {}): HeldDisk {
  let held = options.held ?? false;
  let failNext = false;
  let onSync: () => void = () => undefined;
  const waiting: (() => void)[] = [];
  return {
    sync: () => {
      onSync();
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('EIO: input/output error'));
      }
      return held ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve();
    },
    hold: () => void (held = true),
    release: () => {
      held = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
    get waiting() {
      return waiting.length;
    },
    nextSync: () => new Promise<void>((resolve) => (onSync = resolve)),
    failNextSync: () => void (failNext = true),
  };
}
