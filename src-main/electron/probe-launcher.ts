// The probe launcher in the app: Electron's utilityProcess (the RunAsNode fuse is off, so child_process.fork of the
// app binary is not an option). Takes a utilityProcess-like object so it is unit-tested without Electron.
import type { ProbeChild, ProbeLauncher } from '../local/probe';

/** The part of a UtilityProcess the launcher uses. */
export interface UtilityChildLike {
  readonly stderr: NodeJS.ReadableStream | null;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

/** The part of Electron's `utilityProcess` the launcher uses. */
export interface UtilityProcessLike {
  fork(
    modulePath: string,
    args: string[],
    options: { stdio: 'pipe' | ['ignore', 'ignore', 'pipe']; serviceName: string },
  ): UtilityChildLike;
}

export class UtilityProcessProbeLauncher implements ProbeLauncher {
  /** `entry`: the built probe-child, out/main/probe.js. */
  constructor(
    private readonly utility: UtilityProcessLike,
    private readonly entry: string,
  ) {}

  start(modelPath: string): ProbeChild {
    const child = this.utility.fork(this.entry, [modelPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      serviceName: 'Quire model test load',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    // utilityProcess reports a crash (an abort included) as an exit with a non-zero code, never a signal name.
    const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      child.once('exit', (code) => resolve({ code, signal: null, stderr }));
    });
    return { exited, kill: () => void child.kill() };
  }
}
