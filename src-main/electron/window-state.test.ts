import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { placeWindow, wasMaximized, WindowStateFile } from './window-state';

const LIMITS = { width: 1280, height: 840, minWidth: 900, minHeight: 600 };
const LAPTOP = { x: 0, y: 25, width: 1512, height: 920 };
const EXTERNAL = { x: 1512, y: -300, width: 2560, height: 1415 };
const saved = (x: number, y: number, width: number, height: number, maximized = false) => ({
  bounds: { x, y, width, height },
  maximized,
});

describe('placeWindow', () => {
  it('uses the default size, placed by the OS, when nothing valid was saved', () => {
    for (const nothing of [
      null,
      {},
      'x',
      saved(0, 0, -5, 100),
      { bounds: { x: 0, y: 0, width: Infinity, height: 9 } },
    ]) {
      expect(placeWindow(nothing, [LAPTOP], LIMITS)).toEqual({ width: 1280, height: 840 });
    }
  });

  it('restores a window that fits where it was', () => {
    expect(placeWindow(saved(100, 80, 1000, 700), [LAPTOP, EXTERNAL], LIMITS)).toEqual({
      x: 100,
      y: 80,
      width: 1000,
      height: 700,
    });
    expect(placeWindow(saved(2000, 0, 1600, 1000), [LAPTOP, EXTERNAL], LIMITS)).toEqual({
      x: 2000,
      y: 0,
      width: 1600,
      height: 1000,
    });
  });

  it('pulls a window that hangs off the edge fully onto the display it mostly covers', () => {
    expect(placeWindow(saved(900, -100, 1000, 700), [LAPTOP], LIMITS)).toEqual({
      x: 512,
      y: 25,
      width: 1000,
      height: 700,
    });
  });

  it('shrinks a window larger than its display, but not below the minimum size', () => {
    expect(placeWindow(saved(1600, -300, 2560, 1415), [LAPTOP], LIMITS)).toEqual(LAPTOP);
    expect(placeWindow(saved(10, 30, 200, 100), [LAPTOP], LIMITS)).toMatchObject({ width: 900, height: 600 });
  });

  it('centres on the primary display when the saved display is no longer connected', () => {
    expect(placeWindow(saved(2000, 0, 1600, 1000), [LAPTOP], LIMITS)).toEqual({
      x: 0,
      y: 25,
      width: 1512,
      height: 920,
    });
    expect(placeWindow(saved(3000, 100, 1000, 700), [LAPTOP], LIMITS)).toEqual({
      x: 256,
      y: 135,
      width: 1000,
      height: 700,
    });
  });

  it('remembers maximized', () => {
    expect(wasMaximized(saved(0, 25, 1000, 700, true))).toBe(true);
    expect(wasMaximized(null)).toBe(false);
  });
});

describe('WindowStateFile', () => {
  const tempDir = useTempDir();

  it('round-trips the state through a JSON file and reads a damaged file as nothing', () => {
    const path = join(tempDir(), 'nested', 'window-state.json');
    const file = new WindowStateFile(path);
    expect(file.read()).toBeNull();
    file.write(saved(100, 80, 1000, 700, true));
    expect(new WindowStateFile(path).read()).toEqual(saved(100, 80, 1000, 700, true));
    writeFileSync(path, '{"bounds": ');
    expect(file.read()).toBeNull();
  });

  it('refuses to write a state that could not be restored', () => {
    const file = new WindowStateFile(join(tempDir(), 'window-state.json'));
    expect(() => file.write(saved(0, 0, Number.NaN, 700))).toThrow();
    expect(file.read()).toBeNull();
  });
});
