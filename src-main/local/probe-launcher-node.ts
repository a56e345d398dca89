// The probe launcher under plain Node (the browser host; tests): a forked child process running probe-child.
import { fork } from 'node:child_process';
import { readProbeStderr, type ProbeChild, type ProbeLauncher } from './probe';

export interface NodeProbeLauncherOptions {
  /** The probe-child entry: out/main/probe.js when built; the .ts source with execArgv ['--import', 'tsx'] in tests. */
  entry: string;
  execArgv?: string[];
  /** The child's environment (this process's when not given). */
  env?: NodeJS.ProcessEnv | undefined;
}

export class NodeProbeLauncher implements ProbeLauncher {
  constructor(private readonly options: NodeProbeLauncherOptions) {}

  start(modelPath: string): ProbeChild {
    const child = fork(this.options.entry, [modelPath], {
      execArgv: this.options.execArgv ?? [],
      ...(this.options.env ? { env: this.options.env } : {}),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const stderr = readProbeStderr(child.stderr);
    const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      child.once('error', (error) =>
        resolve({ code: null, signal: null, stderr: `${stderr.text()}\n${error.message}` }),
      );
      child.once('close', (code, signal) => resolve({ code, signal, stderr: stderr.text() }));
    });
    return { exited, rendering: stderr.rendering, kill: () => void child.kill('SIGKILL') };
  }
}
