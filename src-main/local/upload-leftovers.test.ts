// An upload cut short by a crash (the process killed mid-way) leaves its half-written copy in models/.partial: the
// next start removes it, so the model keeps its name when uploaded again, while an upload still running in another
// Quire on the same data folder, and a download's resumable partial file, are left alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { useDownloadHarness } from '../../test/support/download-harness';
import { REPO_ROOT, TS_NODE_ARGS } from '../../test/support/processes';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { PARTIAL_DIR } from './library';

const tempDir = useTempDir();
const { harness } = useDownloadHarness(tempDir);
let fixture: string;
beforeAll(() => {
  fixture = tinyLlamaFixture({ seed: 21 });
});

/** A child process uploading half of the fixture as "upkill.gguf", once its partial file has bytes in it. */
async function uploadingChild(dataDir: string): Promise<{ child: ChildProcess; partial: string }> {
  const modelsDir = join(dataDir, 'models');
  const partial = join(modelsDir, PARTIAL_DIR, 'upkill.import');
  const child = spawn(
    process.execPath,
    [...TS_NODE_ARGS, 'test/fixtures/upload-child.ts', dataDir, modelsDir, fixture],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the upload child exited (${code}): ${stderr}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([
    expect.poll(() => (existsSync(partial) ? statSync(partial).size : 0), { timeout: 15_000 }).toBeGreaterThan(0),
    exited,
  ]);
  return { child, partial };
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

describe('uploads cut short by a crash', () => {
  it('an upload killed mid-way leaves nothing at the next start, and the model keeps its name', async () => {
    const dataDir = tempDir();
    const { child, partial } = await uploadingChild(dataDir);
    await kill(child);
    expect(existsSync(partial)).toBe(true);
    // A paused download's partial file is resumable: never removed with the upload's leftovers.
    const download = join(dataDir, 'models', PARTIAL_DIR, 'paused-story.gguf.part');
    writeFileSync(download, 'GGUF half a download');

    const h = harness({ dataDir });
    expect(existsSync(partial)).toBe(false);
    expect(readFileSync(download, 'utf8')).toBe('GGUF half a download');
    const model = await h.stack.library.importStream(Readable.from([readFileSync(fixture)]), 'upkill.gguf');
    expect(model.id).toBe('upkill');
  });

  it("a second Quire starting on the same data folder leaves the other's upload in progress alone", async () => {
    const dataDir = tempDir();
    const { child, partial } = await uploadingChild(dataDir);
    try {
      harness({ dataDir });
      expect(existsSync(partial)).toBe(true);
    } finally {
      await kill(child);
    }
    harness({ dataDir });
    expect(existsSync(partial)).toBe(false);
  });
});
