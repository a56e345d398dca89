// The probe launcher in the app: Electron's utilityProcess (the RunAsNode fuse is off, so child_process.fork of the
// app binary is not an option). Takes a utilityProcess-like object so it is unit-tested without Electron.
import { readProbeStderr, type ProbeChild, type ProbeLauncher } from '../local/probe';

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
    const stderr = readProbeStderr(child.stderr);
    // utilityProcess reports a crash (an abort included) as an exit with a non-zero code, never a signal name.
    const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      child.once('exit', (code) => resolve({ code, signal: null, stderr: stderr.text() }));
    });
    return { exited, rendering: stderr.rendering, kill: () => void child.kill() };
  }
}
