// Which process owns a run or a reservation, and whether that process is still there. Several processes may share one
// data directory (the app, the CLI, a second host), so start-up recovery must only touch the work of processes that
// are gone. A pid alone is not enough (pids are recycled, after a reboot almost surely), so each owner also records a
// start token: the kernel's own record of when that pid's process started.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Db } from './database';

export interface Owner {
  pid: number;
  /** The process's start token (see {@link startTokenOf}); null where the platform cannot tell. */
  token: string | null;
}

/** A start token for a live pid: equal tokens mean the same process; undefined when it cannot be read. */
export function startTokenOf(pid: number): string | undefined {
  try {
    if (process.platform === 'linux') {
      // /proc/<pid>/stat field 22 is the start time in clock ticks since boot; the boot id tells boots apart.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      return `${bootId}:${fields[19]}`;
    }
    if (process.platform === 'darwin') {
      const started = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000 });
      return started.trim() || undefined;
    }
  } catch {
    // Gone, or not ours to read: the caller falls back to the pid alone.
  }
  return undefined;
}

let boot: string | null | undefined;

/**
 * Which boot of this computer the process runs in: equal values mean no restart or power cut came between; null where
 * it cannot be told (read as "maybe another boot"). Linux: the kernel's boot id; macOS: the boot time the kernel keeps.
 */
export function bootIdentity(): string | null {
  if (boot !== undefined) return boot;
  boot = null;
  try {
    if (process.platform === 'linux') boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    else if (process.platform === 'darwin')
      boot = execFileSync('sysctl', ['-n', 'kern.boottime'], { encoding: 'utf8', timeout: 2000 }).trim() || null;
  } catch {
    // Not readable here: every hold this process leaves is read as from another boot (counted, never released).
  }
  return boot;
}

let self: Owner | undefined;

/** This process, as an owner (computed once). */
export function currentOwner(): Owner {
  self ??= { pid: process.pid, token: startTokenOf(process.pid) ?? null };
  return self;
}

/** The process on the other end of `process.kill(pid, 0)`: ESRCH = gone; EPERM = there, not ours to signal. */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while the owner's process runs. Rows without an owner were written before owners were recorded (an older
 * Quire): they count as gone, as they did before.
 */
export function isOwnerAlive(owner: { pid: number | null; token: string | null }): boolean {
  if (owner.pid === null || owner.pid <= 0) return false;
  const me = currentOwner();
  if (owner.pid === me.pid) return owner.token === me.token;
  if (!pidExists(owner.pid)) return false;
  if (owner.token === null) return true;
  const now = startTokenOf(owner.pid);
  // A token that cannot be read is not evidence of death: a live owner's work is never taken from it.
  return now === undefined || now === owner.token;
}

const owners = new WeakMap<Db, Owner>();

/** The owner that a connection's writes are recorded under (this process unless the opener said otherwise). */
export function ownerOf(db: Db): Owner {
  return owners.get(db) ?? currentOwner();
}

export function setOwner(db: Db, owner: Owner): void {
  owners.set(db, owner);
}
