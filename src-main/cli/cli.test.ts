import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { runQuireCli } from './quire';
import { runReplayCli } from './router-replay';

const tempDir = useTempDir();
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');

function capture(fn: (out: (line: string) => void) => number) {
  const lines: string[] = [];
  const code = fn((line) => lines.push(line));
  return { code, text: lines.join('\n') };
}

describe('npm run quire -- packs', () => {
  it('list, use and current against one data directory (flag or QUIRE_DATA_DIR)', () => {
    const dir = tempDir();
    const list = capture((out) => runQuireCli(['packs', 'list', '--data-dir', dir], {}, out));
    expect(list.code).toBe(0);
    expect(list.text).toMatch(/^\* mixed/m);
    expect(list.text.split('\n')).toHaveLength(6);
    expect(capture((out) => runQuireCli(['packs', 'use', 'local-only', '--data-dir', dir], {}, out)).text).toBe(
      'Active pack is now local-only. It decides only while “Choose models automatically” is off in Settings (it is on now).',
    );
    const current = capture((out) => runQuireCli(['packs', 'current'], { QUIRE_DATA_DIR: dir }, out));
    expect(current.text).toMatch(/^Current pack: local-only/);
    expect(current.text).toMatch(/coordinator\s+llama3\.2/);
  });

  it('fails with a message for an unknown pack or verb', () => {
    const dir = tempDir();
    const unknown = capture((out) => runQuireCli(['packs', 'use', 'nope', '--data-dir', dir], {}, out));
    expect(unknown).toEqual({
      code: 1,
      text: 'quire: There is no model pack named “nope”: it may have been deleted or renamed. Pick one from the list of packs.',
    });
    expect(capture((out) => runQuireCli(['packs', 'frobnicate', '--data-dir', dir], {}, out)).code).toBe(2);
  });

  it('a data folder that does not exist is refused, and nothing is created there', () => {
    const typo = join(tempDir(), 'Quire-typo');
    expect(capture((out) => runQuireCli(['packs', 'list', '--data-dir', typo], {}, out))).toEqual({
      code: 1,
      text: `quire: there is no folder at ${typo}. Check the path given to --data-dir (or QUIRE_DATA_DIR); nothing was created.`,
    });
    expect(existsSync(typo)).toBe(false);
  });
});

describe('npm run router:replay', () => {
  const file = join(root, 'bench', 'replay-sample.jsonl');
  const models = join(root, 'bench', 'replay-models.json');

  it('prints every tier and both baselines on the held-out ids', () => {
    const { code, text } = capture((out) => runReplayCli([file, '--models', models, '--json'], out));
    expect(code).toBe(0);
    const report = JSON.parse(text);
    expect(report.results.map((r: { policy: string }) => r.policy)).toEqual([
      'budget',
      'balanced',
      'premium',
      'always cheapest',
      'always best',
    ]);
    expect(report.test_ids).toBeGreaterThan(0);
    const cheapest = report.results.find((r: { policy: string }) => r.policy === 'always cheapest');
    const best = report.results.find((r: { policy: string }) => r.policy === 'always best');
    expect(cheapest.total_usd).toBeLessThanOrEqual(best.total_usd);
    for (const r of report.results) {
      expect(r.calls).toBe(report.test_ids);
      const shares = Object.values(r.share as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(shares).toBeCloseTo(1, 2);
    }
  });

  it('one tier, a different seed, and the table format', () => {
    const { text } = capture((out) => runReplayCli([file, '--models', models, '--tier', 'budget', '--seed', '9'], out));
    expect(text).toMatch(/^budget\s+\d+/m);
    expect(text).not.toMatch(/^premium/m);
    expect(text).toMatch(/^always cheapest/m);
  });

  it('refuses models it cannot describe', () => {
    expect(() => runReplayCli([file], () => {})).toThrow(/my-local-writer/);
  });
});
