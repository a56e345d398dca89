// How a finished download or an import becomes an installed model (audit): the test load runs on the partial file,
// before anything is placed in the models folder; the file is then placed and recorded in an order that a quit, a
// cancel, a crash or a failed record at any point leaves either the partial file (resumable) or a recorded model, and
// never an unrecorded file in the models folder. A download and an import never share an id.
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { partialFiles, useDownloadHarness, type Harness } from '../../test/support/download-harness';
import { hashFile } from '../../test/support/hash-file';
import { useTempDir } from '../../test/support/temp-dir';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { openDatabase } from '../store/database';
import { LocalModelsRepo } from '../store/repos/local-models-repo';
import { PARTIAL_DIR } from './library';
import type { ProbeLauncher } from './probe';

const tempDir = useTempDir();
const { harness, server } = useDownloadHarness(tempDir);
let fixture: string;
let fixtureSha: string;
let fixtureSize: number;
beforeAll(async () => {
  fixture = tinyLlamaFixture({ seed: 61 });
  fixtureSha = await hashFile(fixture);
  fixtureSize = statSync(fixture).size;
});

/** A test load that lasts until released (a multi-GB model takes a while); `started` once it began, on `paths`. */
function gatedProbe() {
  const paths: string[] = [];
  let began!: () => void;
  const started = new Promise<void>((resolve) => (began = resolve));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const launcher: ProbeLauncher = {
    start(path) {
      paths.push(path);
      began();
      return { exited: gate.then(() => ({ code: 0, signal: null, stderr: '' })), kill() {} };
    },
  };
  return { launcher, paths, started, release: () => release() };
}

function ggufs(h: Pick<Harness, 'modelsDir'>): string[] {
  return readdirSync(h.modelsDir)
    .filter((name) => name.endsWith('.gguf'))
    .sort();
}

function recordedFiles(h: Harness): string[] {
  return h.stack.library
    .installed()
    .map((m) => m.file.split('/').at(-1)!)
    .sort();
}

function gets(s: { requests: { method: string; status: number }[] }) {
  return s.requests.filter((r) => r.method === 'GET');
}

describe('a download and an import never share an id', () => {
  it('an import does not take the id of a failed download, which then resumes and installs under its own', async () => {
    const h = harness();
    const s = await server();
    s.route('/foo.gguf', { file: fixture, faults: { flipByteAt: Math.floor(fixtureSize / 2) } });
    await h.stack.downloads.start({ url: `${s.url}/foo.gguf`, sha256: fixtureSha });
    await h.waitFor('download:failed', 'foo');
    const other = join(tempDir(), 'foo.gguf');
    copyFileSync(tinyLlamaFixture({ seed: 62 }), other);
    const imported = await h.stack.library.importFile(other, 'foo');
    expect(imported.id).toBe('foo-2');

    s.route('/foo.gguf', { file: fixture });
    await h.stack.downloads.resume('foo');
    const done = await h.waitFor('download:done', 'foo');
    expect(done.payload).toMatchObject({ model: { id: 'foo', sha256: fixtureSha } });
    expect(ggufs(h)).toEqual(['foo-2.gguf', 'foo.gguf']);
    expect(recordedFiles(h)).toEqual(ggufs(h));
  });

  it('a download whose id a model already has (an earlier Quire let an import take it) installs under the next free one', async () => {
    const h = harness();
    const s = await server();
    s.route('/foo.gguf', { file: fixture, faults: { flipByteAt: Math.floor(fixtureSize / 2) } });
    await h.stack.downloads.start({ url: `${s.url}/foo.gguf`, sha256: fixtureSha });
    await h.waitFor('download:failed', 'foo');
    const taken = join(h.modelsDir, 'elsewhere.gguf');
    copyFileSync(tinyLlamaFixture({ seed: 62 }), taken);
    new LocalModelsRepo(h.db, () => new Date()).insertModel({
      id: 'foo',
      name: 'Foo from an import',
      file: taken,
      size_bytes: statSync(taken).size,
      sha256: await hashFile(taken),
      verified_against: 'none',
      source: 'import',
      catalog_id: null,
      url: null,
      architecture: 'llama',
      context_length: 2048,
      added_at: new Date().toISOString(),
    });

    s.route('/foo.gguf', { file: fixture });
    await h.stack.downloads.resume('foo');
    const done = await h.waitFor('download:done', 'foo');
    expect(done.payload).toMatchObject({ model: { id: 'foo-2', file: join(h.modelsDir, 'foo-2.gguf') } });
    expect(h.stack.downloads.list()).toEqual([]);
    expect(ggufs(h)).toEqual(['elsewhere.gguf', 'foo-2.gguf']);
    expect(recordedFiles(h)).toEqual(ggufs(h));
  });

  it('a download that cannot be recorded leaves nothing in the models folder, says so plainly and keeps its file to retry', async () => {
    const h = harness();
    const s = await server();
    s.route('/kept.gguf', { file: fixture });
    // The database refuses the record (as a full disk would).
    h.db.exec(
      `CREATE TEMP TRIGGER refuse_models BEFORE INSERT ON local_models BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    await h.stack.downloads.start({ url: `${s.url}/kept.gguf`, sha256: fixtureSha });
    const failed = await h.waitFor('download:failed', 'kept');
    const message = (failed.payload as { message: string }).message;
    expect(message).toMatch(/^kept was downloaded and checked, but Quire could not add it to your models/);
    expect(message).not.toMatch(/SQLITE|constraint|database or disk/i);
    expect(failed.payload).toMatchObject({ retryable: true });
    expect(ggufs(h)).toEqual([]);
    expect(statSync(join(h.modelsDir, PARTIAL_DIR, 'kept.gguf.part')).size).toBe(fixtureSize);

    h.db.exec('DROP TRIGGER refuse_models');
    await h.stack.downloads.resume('kept');
    await h.waitFor('download:done', 'kept');
    // Every byte was kept: the retry asked the server for nothing more.
    expect(gets(s).map((r) => r.status)).toEqual([200, 416]);
    expect(ggufs(h)).toEqual(['kept.gguf']);
    expect(recordedFiles(h)).toEqual(ggufs(h));
  });
});

describe('quitting, cancelling or crashing while a download is checked', () => {
  it('quitting during the test load keeps the whole partial file; the next start installs it without downloading again', async () => {
    const probe = gatedProbe();
    const h = harness({ stack: { probe: probe.launcher } });
    const s = await server();
    s.route('/r.gguf', { file: fixture });
    await h.stack.downloads.start({ url: `${s.url}/r.gguf` });
    await probe.started;
    // The test load reads the partial file: nothing is in the models folder while it runs.
    expect(probe.paths).toEqual([join(h.modelsDir, PARTIAL_DIR, 'r.gguf.part')]);
    expect(ggufs(h)).toEqual([]);
    await h.stack.close(); // the test load never ends: quitting does not wait for it
    expect(ggufs(h)).toEqual([]);
    expect(statSync(join(h.modelsDir, PARTIAL_DIR, 'r.gguf.part')).size).toBe(fixtureSize);

    const again = harness({ dataDir: h.dataDir });
    expect(again.stack.downloads.get('r')).toMatchObject({ status: 'paused', received: fixtureSize });
    await again.stack.downloads.resume('r');
    await again.waitFor('download:done', 'r');
    expect(gets(s).map((r) => r.status)).toEqual([200, 416]);
    expect(ggufs(again)).toEqual(['r.gguf']);
    expect(recordedFiles(again)).toEqual(['r.gguf']);
    probe.release();
  });

  it('cancel during the test load stops at once and installs nothing', async () => {
    const probe = gatedProbe();
    const h = harness({ stack: { probe: probe.launcher } });
    const s = await server();
    s.route('/c.gguf', { file: fixture });
    await h.stack.downloads.start({ url: `${s.url}/c.gguf` });
    await probe.started;
    await h.stack.downloads.cancel('c'); // the test load never ends: cancel does not wait for it
    expect(h.stack.downloads.list()).toEqual([]);
    expect(h.stack.library.installed()).toEqual([]);
    expect(ggufs(h)).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
    probe.release();
  });

  it('a crash between placing a file and recording it, or just after, leaves nothing stray at the next start', async () => {
    const dataDir = tempDir();
    const modelsDir = join(dataDir, 'models');
    const partialDir = join(modelsDir, PARTIAL_DIR);
    mkdirSync(partialDir, { recursive: true });
    const db = openDatabase(join(dataDir, 'quire.sqlite'));
    const repo = new LocalModelsRepo(db, () => new Date());
    // 1. A download being checked: its file linked into the models folder, not yet recorded.
    const partial = join(partialDir, 'cut.gguf.part');
    copyFileSync(fixture, partial);
    linkSync(partial, join(modelsDir, 'cut.gguf'));
    repo.insertDownload({
      id: 'cut',
      name: 'cut',
      url: 'http://127.0.0.1:9/cut.gguf',
      catalog_id: null,
      partial_file: partial,
      final_file: join(modelsDir, 'cut.gguf'),
      expected_sha256: fixtureSha,
      sha256_source: 'user',
      total_bytes: fixtureSize,
      received_bytes: fixtureSize,
      status: 'verifying',
    });
    // 2. A download recorded, its partial file's name not yet removed (its row went with the record).
    const recorded = join(modelsDir, 'done.gguf');
    copyFileSync(tinyLlamaFixture({ seed: 63 }), recorded);
    linkSync(recorded, join(partialDir, 'done.gguf.part'));
    repo.insertModel({
      id: 'done',
      name: 'done',
      file: recorded,
      size_bytes: statSync(recorded).size,
      sha256: await hashFile(recorded),
      verified_against: 'none',
      source: 'url',
      catalog_id: null,
      url: 'http://127.0.0.1:9/done.gguf',
      architecture: 'llama',
      context_length: 2048,
      added_at: new Date().toISOString(),
    });
    // 3. An import whose process died between placing its copy and recording it (no owner file, long untouched).
    const copy = join(partialDir, 'lost.import');
    copyFileSync(tinyLlamaFixture({ seed: 64 }), copy);
    linkSync(copy, join(modelsDir, 'lost.gguf'));
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(copy, old, old);
    db.close();

    const h = harness({ dataDir });
    expect(ggufs(h)).toEqual(['done.gguf']);
    expect(partialFiles(h)).toEqual(['cut.gguf.part']);
    expect(recordedFiles(h)).toEqual(['done.gguf']);
    expect(h.stack.downloads.get('cut')).toMatchObject({ status: 'paused', received: fixtureSize });
  });
});

describe('an import is test-loaded before it is placed', () => {
  it('nothing is in the models folder while its test load runs', async () => {
    const probe = gatedProbe();
    const h = harness({ stack: { probe: probe.launcher } });
    const importing = h.stack.library.importFile(fixture, 'Slow Story');
    await probe.started;
    expect(probe.paths).toEqual([join(h.modelsDir, PARTIAL_DIR, 'slow-story.import')]);
    expect(ggufs(h)).toEqual([]);
    probe.release();
    const model = await importing;
    expect(model.file).toBe(join(h.modelsDir, 'slow-story.gguf'));
    expect(ggufs(h)).toEqual(['slow-story.gguf']);
    expect(partialFiles(h)).toEqual([]);
    expect(existsSync(model.file)).toBe(true);
  });

  it('an import that cannot be recorded says so plainly and leaves nothing behind', async () => {
    const h = harness();
    h.db.exec(
      `CREATE TEMP TRIGGER refuse_models BEFORE INSERT ON local_models BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    const refused = await h.stack.library.importFile(fixture, 'Story').catch((error: Error) => error);
    expect(refused).toMatchObject({
      message: expect.stringMatching(
        /^[\w.-]+\.gguf was copied and checked, but Quire could not add it to your models/,
      ),
    });
    expect((refused as Error).message).not.toMatch(/SQLITE|constraint|database or disk/i);
    expect(ggufs(h)).toEqual([]);
    expect(partialFiles(h)).toEqual([]);
  });
});
