// Finds the Electron binary without triggering the electron package's lazy download (which fails offline).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** @returns {{ path: string } | { reason: string }} */
export function findElectronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron');
    return existsSync(path) ? { path } : { reason: `no Electron binary at ELECTRON_OVERRIDE_DIST_PATH (${path})` };
  }
  if (!relative) return { reason: 'the Electron binary has not been downloaded (offline install)' };
  const path = join(pkgDir, 'dist', relative);
  return existsSync(path) ? { path } : { reason: `the Electron binary is missing (${path})` };
}

/** @returns {string | null} why a window cannot be shown here, or null when it can */
export function displayUnavailableReason() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (DISPLAY is not set)';
  }
  return null;
}

/**
 * The line `npm start` prints before it serves the browser host. The reason follows a colon, not brackets: reasons
 * carry their own (a path, "offline install"), and nested they read "…(/path));".
 * @param {string} reason
 * @returns {string}
 */
export function startFallbackNotice(reason) {
  return `Electron cannot start here: ${reason}. Serving the same UI in your browser instead.`;
}
