// Real processes for ownership tests: the pid of one that has exited (and been reaped), and one that keeps running.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The pid of a process that ran and is gone. */
export function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  if (result.pid === undefined || result.status !== 0) throw new Error('could not run a child process');
  return result.pid;
}

/** A process that idles until stopped; `stop` resolves once it has exited and been reaped. */
export async function liveProcess(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30); console.log("up")'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `node --import tsx --import ./scripts/register-raw.mjs <script> ...args` from the repository root. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const TS_NODE_ARGS = ['--import', 'tsx', '--import', './scripts/register-raw.mjs'];
