// An import by typed path (a model of several GB takes minutes to copy, hash and test-load) says how far it has got
// and can be stopped at any step; a stopped one leaves nothing in the models folder.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src-preload/contract';
import { bytesText } from '../../src-preload/contract/bytes-text';
import { useDownloadHarness, type Harness } from '../../test/support/download-harness';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { FREE_SPACE_MARGIN } from './downloads';
import { PARTIAL_DIR } from './library';
import type { ProbeLauncher } from './probe';

const tempDir = useTempDir();
const { harness } = useDownloadHarness(tempDir);
let fixture: string;
beforeAll(() => {
  // A few MB: read in many chunks, so the copy reports more than its end.
  fixture = tinyLlamaFixture({ seed: 31, embd: 256, layers: 2 });
});

type Progress = EventPayload<'import:progress'>;

function progressOf(h: Harness, importId: string): Progress[] {
  return h.events
    .filter((event) => event.name === 'import:progress')
    .map((event) => event.payload as Progress)
    .filter((payload) => payload.import_id === importId);
}

/** A test load that ends only when it is killed, counting the kills; `started` runs once it is under way. */
function hangingProbe(started: () => void = () => undefined): { launcher: ProbeLauncher; killed: () => number } {
  let killed = 0;
  let end!: (result: { code: number | null; signal: string | null; stderr: string }) => void;
  return {
    launcher: {
      start: () => {
        queueMicrotask(started);
        return {
          exited: new Promise((resolve) => (end = resolve)),
          kill: () => {
            killed++;
            end({ code: null, signal: 'SIGKILL', stderr: '' });
          },
        };
      },
    },
    killed: () => killed,
  };
}

const passingProbe: ProbeLauncher = {
  start: () => ({ exited: Promise.resolve({ code: 0, signal: null, stderr: '' }), kill: () => undefined }),
};

/** Nothing of the import anywhere in the models folder: no partial copy, no owner file, no placed file, no record. */
function nothingKept(h: Harness): void {
  expect(readdirSync(join(h.modelsDir, PARTIAL_DIR))).toEqual([]);
  expect(readdirSync(h.modelsDir).filter((name) => name.endsWith('.gguf'))).toEqual([]);
  expect(h.stack.library.installed()).toEqual([]);
}

describe('an import by path', () => {
  it('says how much of the file is copied, then that the copy is checked and test-loaded', async () => {
    const h = harness({ stack: { probe: passingProbe } });
    const total = statSync(fixture).size;
    const model = await h.stack.imports.start({ path: fixture, name: 'Story Helper', import_id: 'imp-1' });
    expect(model.name).toBe('Story Helper');
    const seen = progressOf(h, 'imp-1');
    const copying = seen.filter((p) => p.stage === 'copying');
    expect(copying.length).toBeGreaterThan(2);
    expect(copying.every((p) => p.total === total)).toBe(true);
    const copied = copying.map((p) => p.copied);
    expect(copied).toEqual([...copied].sort((a, b) => a - b));
    expect(copied.at(-1)).toBe(total);
    expect(seen.map((p) => p.stage).filter((stage, i, all) => stage !== all[i - 1])).toEqual([
      'copying',
      'checking',
      'testing',
    ]);
  });

  it('stopped while it copies, keeps nothing and says so', async () => {
    const h = harness({ stack: { probe: passingProbe } });
    const unsubscribe = h.bus.subscribe((event) => {
      const payload = event.payload as Progress;
      if (event.name === 'import:progress' && payload.stage === 'copying' && payload.copied > 0)
        expect(h.stack.imports.stop('imp-2')).toEqual({ stopping: true });
    });
    try {
      const importing = h.stack.imports.start({ path: fixture, import_id: 'imp-2' });
      await expect(importing).rejects.toMatchObject({
        code: 'cancelled',
        message: expect.stringMatching(
          /^You stopped the import of .+\.gguf: nothing was added to your models folder\.$/,
        ),
      });
    } finally {
      unsubscribe();
    }
    const copied = progressOf(h, 'imp-2').filter((p) => p.stage === 'copying');
    expect(copied.at(-1)!.copied).toBeLessThan(statSync(fixture).size);
    nothingKept(h);
    expect(existsSync(fixture)).toBe(true);
  });

  it('stopped during its test load, ends the test load and keeps nothing', async () => {
    const probe = hangingProbe(() => h.stack.imports.stop('imp-3'));
    const h = harness({ stack: { probe: probe.launcher } });
    await expect(h.stack.imports.start({ path: fixture, import_id: 'imp-3' })).rejects.toMatchObject({
      code: 'cancelled',
    });
    expect(progressOf(h, 'imp-3').at(-1)).toMatchObject({ stage: 'testing' });
    expect(probe.killed()).toBe(1);
    nothingKept(h);
    // Stopped is not refused: the same file imports afterwards, under the name it would have had.
    const again = harness({ dataDir: h.dataDir, stack: { probe: passingProbe } });
    expect((await again.stack.imports.start({ path: fixture, import_id: 'imp-4' })).id).toBe('quire-tiny-llama');
  });

  it('Stop for an import that is not running says so, and the same id twice at once is refused', async () => {
    const probe = hangingProbe();
    const h = harness({ stack: { probe: probe.launcher } });
    expect(h.stack.imports.stop('nothing-here')).toEqual({ stopping: false });
    const first = h.stack.imports.start({ path: fixture, import_id: 'imp-5' });
    await expect(h.stack.imports.start({ path: fixture, import_id: 'imp-5' })).rejects.toMatchObject({
      code: 'conflict',
    });
    h.stack.imports.stop('imp-5');
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('an import by path onto a disk without room for it', () => {
  it('is refused before a byte is copied, with the sizes and the step that frees room', async () => {
    const size = statSync(fixture).size;
    // Room for half the file beside the space Quire keeps free.
    const h = harness({ freeSpace: FREE_SPACE_MARGIN + Math.floor(size / 2), stack: { probe: passingProbe } });
    await expect(h.stack.imports.start({ path: fixture, import_id: 'imp-6' })).rejects.toMatchObject({
      code: 'payload_too_large',
      message:
        `This model is ${bytesText(size)}, and there is room for ${bytesText(Math.floor(size / 2))} in the models ` +
        `folder (${h.modelsDir}). Free some space on that disk, or choose another models folder in Settings, then ` +
        'import it again.',
    });
    expect(progressOf(h, 'imp-6')).toEqual([]);
    nothingKept(h);
  });

  it('with no room at all, says so', async () => {
    const h = harness({ freeSpace: FREE_SPACE_MARGIN - 1, stack: { probe: passingProbe } });
    await expect(h.stack.imports.start({ path: fixture })).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/^There is no room for a model in the models folder .*then import it again\.$/),
    });
    nothingKept(h);
  });
});
