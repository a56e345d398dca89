// Opening a folder in the system file manager, and (in the app) the system file picker. Electron passes its shell.openPath; the browser host uses the
// platform's `open` / `xdg-open` through child_process.
import { spawn } from 'node:child_process';
import type { PickKind } from '../../src-preload/contract';

export interface DesktopShell {
  /** Resolves to '' on success, else an error message (Electron's shell.openPath convention). */
  openPath(path: string): Promise<string>;
}

export function openCommand(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer';
  return 'xdg-open';
}

/** The system's open-file dialog (the desktop app's); resolves to the chosen path, or null when cancelled. */
export interface FilePicker {
  pick(kind: PickKind): Promise<string | null>;
}

/** Starts the file manager detached; only whether it could be started is reported, never its exit. */
export function systemDesktopShell(command: string = openCommand(process.platform)): DesktopShell {
  return {
    openPath: (path) =>
      new Promise((resolve) => {
        const child = spawn(command, [path], { detached: true, stdio: 'ignore' });
        child.once('spawn', () => {
          child.unref();
          resolve('');
        });
        child.once('error', (error) => resolve(`${command} could not be started (${error.message})`));
      }),
  };
}
