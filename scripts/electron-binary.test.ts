// The one line `npm start` prints before it falls back to the browser host: each reason Electron cannot start here,
// read in that line as a writer reads it.
import { afterEach, describe, expect, it } from 'vitest';
import { findElectronBinary, startFallbackNotice } from './electron-binary.mjs';

const saved = process.env.ELECTRON_OVERRIDE_DIST_PATH;
afterEach(() => {
  if (saved === undefined) delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
  else process.env.ELECTRON_OVERRIDE_DIST_PATH = saved;
});

/** Every bracket opened is closed, and none is doubled ("((", "))"). */
function bracketsRead(line: string): void {
  expect(line).not.toMatch(/\(\(|\)\)|\)\s*\)/);
  let depth = 0;
  for (const c of line) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    expect(depth).toBeGreaterThanOrEqual(0);
    expect(depth).toBeLessThan(2);
  }
  expect(depth).toBe(0);
}

describe('npm start falling back to the browser host', () => {
  it('says why Electron cannot start with the path it looked at, its brackets single', () => {
    process.env.ELECTRON_OVERRIDE_DIST_PATH = '/nowhere/electron-dist';
    const binary = findElectronBinary();
    expect('reason' in binary).toBe(true);
    const line = startFallbackNotice((binary as { reason: string }).reason);
    expect(line).toMatch(
      /^Electron cannot start here: no Electron binary at ELECTRON_OVERRIDE_DIST_PATH \(\/nowhere\/electron-dist\/[^()]+\)\. /,
    );
    expect(line).toMatch(/ Serving the same UI in your browser instead\.$/);
    bracketsRead(line);
  });

  it('reads as one sentence for every reason the binary finder or the display check gives', () => {
    for (const reason of [
      'the electron package is not installed',
      'the Electron binary has not been downloaded (offline install)',
      'the Electron binary is missing (/x/node_modules/electron/dist/electron)',
      'there is no display (DISPLAY is not set)',
    ]) {
      const line = startFallbackNotice(reason);
      expect(line).toBe(`Electron cannot start here: ${reason}. Serving the same UI in your browser instead.`);
      bracketsRead(line);
    }
  });
});
