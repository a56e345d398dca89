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

/** A TypeScript script of this repository run as a child, to be killed mid-work: how it ended, and its stderr so far. */
export function startTsChild(
  script: string,
  args: readonly string[],
): { exited: Promise<NodeJS.Signals | null>; stderr: () => string; kill: () => void } {
  const child = spawn(process.execPath, [...TS_NODE_ARGS, script, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return { exited, stderr: () => stderr, kill: () => void child.kill('SIGKILL') };
}
