// The theme is app.css's custom properties, light and dark. A component that reads a property app.css never defines
// falls back to its literal (the first-run cards read --surface and stayed white in dark mode, with light text on
// them); a colour defined only for light mode keeps its light value in dark mode.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', 'src-renderer', 'src');
const css = readFileSync(join(root, 'app.css'), 'utf8');
const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');
const definedIn = (text: string) => new Set([...text.matchAll(/^\s*(--[a-z0-9-]+)\s*:/gm)].map((m) => m[1]!));
const light = definedIn(css.slice(0, darkStart));
const dark = definedIn(css.slice(darkStart, css.indexOf('}\n}', darkStart)));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(svelte|css)$/.test(entry.name) ? [path] : [];
  });
}

describe('theme properties', () => {
  it('every custom property a component reads is defined by app.css or set by the component itself', () => {
    const undefinedUses: string[] = [];
    for (const file of sources(root)) {
      const text = readFileSync(file, 'utf8');
      // Set on an element of the file (`style:--count={…}`, `style="--x: …"`) or in its own styles.
      const own = new Set([
        ...[...text.matchAll(/style:(--[a-z0-9-]+)/g)].map((m) => m[1]!),
        ...[...text.matchAll(/(--[a-z0-9-]+)\s*:/g)].map((m) => m[1]!),
      ]);
      for (const [, name] of text.matchAll(/var\((--[a-z0-9-]+)/g))
        if (!light.has(name!) && !own.has(name!)) undefinedUses.push(`${relative(root, file)}: ${name}`);
    }
    expect(undefinedUses).toEqual([]);
  });

  it('every colour of the light theme has its dark value', () => {
    expect(light.size).toBeGreaterThan(5);
    const lightOnly = [...light].filter((name) => name !== '--radius' && !dark.has(name));
    expect(lightOnly).toEqual([]);
  });
});
