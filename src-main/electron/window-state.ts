// The window comes back where the writer left it: size and position saved on close (JSON in userData), restored
// clamped to a display that is still connected. The placement rules are pure; the file is the only I/O.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { WindowBounds } from './window-options';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

const windowStateSchema = z.object({
  bounds: z.object({
    x: z.number().int().safe(),
    y: z.number().int().safe(),
    width: z.number().int().positive().safe(),
    height: z.number().int().positive().safe(),
  }),
  maximized: z.boolean(),
});

export interface PlacementLimits {
  /** The default size, used when nothing valid was saved. */
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), Math.max(low, high));

/**
 * Where to open the window. `workAreas` are the displays' usable areas, primary first. A saved window lands on the
 * display it overlaps most, shrunk to fit and moved fully inside; one whose display is gone opens centred on the
 * primary display; nothing valid saved → the default size, placed by the OS.
 */
export function placeWindow(saved: unknown, workAreas: readonly Rect[], limits: PlacementLimits): WindowBounds {
  const parsed = windowStateSchema.safeParse(saved);
  const primary = workAreas[0];
  if (!parsed.success || !primary) return { width: limits.width, height: limits.height };
  const { bounds } = parsed.data;
  const best = workAreas.reduce<{ area: Rect; overlap: number } | null>((found, area) => {
    const amount = overlap(bounds, area);
    return amount > (found?.overlap ?? 0) ? { area, overlap: amount } : found;
  }, null);
  const area = best?.area ?? primary;
  const width = clamp(bounds.width, limits.minWidth, area.width);
  const height = clamp(bounds.height, limits.minHeight, area.height);
  if (!best) {
    return {
      x: area.x + Math.round((area.width - width) / 2),
      y: area.y + Math.round((area.height - height) / 2),
      width,
      height,
    };
  }
  return {
    x: clamp(bounds.x, area.x, area.x + area.width - width),
    y: clamp(bounds.y, area.y, area.y + area.height - height),
    width,
    height,
  };
}

export function wasMaximized(saved: unknown): boolean {
  const parsed = windowStateSchema.safeParse(saved);
  return parsed.success && parsed.data.maximized;
}

/** The JSON file; a missing or damaged file reads as "nothing saved". */
export class WindowStateFile {
  constructor(private readonly path: string) {}

  read(): unknown {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
    } catch {
      return null;
    }
  }

  write(state: WindowState): void {
    const valid = windowStateSchema.parse(state);
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(valid));
    renameSync(temporary, this.path);
  }
}
