// The probe (issue 14): a file that aborts llama.cpp does so in a short-lived child process, never in this one; the
// verdict names the reason. Runs the real probe-child (node-llama-cpp) on generated files.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writeMutatedGguf } from '../../test/fixtures/gguf-writer';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { testProbeLauncher } from '../../test/support/probe-launcher';
import { useTempDir } from '../../test/support/temp-dir';
import { catalogFor, useDownloadHarness } from '../../test/support/download-harness';
import { startFileServer } from '../../test/support/file-server';
import { hashFile } from '../../test/support/hash-file';
import { NOT_TESTED_YET, PARTIAL_DIR } from './library';
import { LEGACY_VERDICTS_FILE, ModelProbe, type ProbeLauncher } from './probe';

const tempDir = useTempDir();

describe('the probe', () => {
  it('passes a model that loads and answers one token', async () => {
    const verdict = await new ModelProbe(testProbeLauncher(), 170_000).probe(tinyLlamaFixture({ seed: 3 }));
    expect(verdict).toEqual({ usable: true });
  }, 200_000);

  it('marks a file that aborts llama.cpp at the first token unusable, and this process keeps running', async () => {
    // An rms epsilon of -1 (GGML_ASSERT(eps >= 0.0f)): refused by the validator, so written straight to disk here to
    // show the probe holds where a rule is missing.
    const file = writeMutatedGguf(readFileSync(tinyLlamaFixture({ seed: 3 })), join(tempDir(), 'eps.gguf'), {
      set: { 'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: -1 } },
    });
    // Generous bounds: a loaded 2-core machine can take a minute to start node-llama-cpp in a child.
    const verdict = (await new ModelProbe(testProbeLauncher(), 170_000).probe(file))!;
    expect(verdict.usable).toBe(false);
    if (verdict.usable) return;
    expect(verdict.reason).toMatch(/llama\.cpp crashed on this file during a test load \((SIGABRT|exit code \d+)\)/);
    expect(verdict.reason).toMatch(/GGML_ASSERT/);
  }, 200_000);

  it('is not held by a debugger: llama.cpp would run gdb or lldb on itself before aborting, and wait for it', async () => {
    // A gdb and an lldb that never return, first on the child's PATH: llama.cpp waits for the debugger it runs, so
    // without the fix the test load ends only at the probe's limit (the test above once hit its 170 s one in CI).
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    for (const name of ['gdb', 'lldb']) {
      writeFileSync(join(bin, name), '#!/bin/sh\nexec sleep 3600\n');
      chmodSync(join(bin, name), 0o755);
    }
    const file = writeMutatedGguf(readFileSync(tinyLlamaFixture({ seed: 3 })), join(tempDir(), 'eps.gguf'), {
      set: { 'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: -1 } },
    });
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    delete env.GGML_NO_BACKTRACE;
    const verdict = await new ModelProbe(testProbeLauncher(env), 120_000).probe(file);
    expect(verdict).toEqual({
      usable: false,
      reason: expect.stringMatching(/llama\.cpp crashed on this file during a test load \((SIGABRT|exit code \d+)\)/),
    });
  }, 150_000);

  it('marks a model whose chat template loops for minutes unusable, in this process never rendered', async () => {
    // 30,000 × 30,000 turns of a loop before the first word of a prompt: minutes on Quire's main thread, every prompt.
    const bomb =
      '{% for i in range(30000) %}{% for j in range(30000) %}{% endfor %}{% endfor %}' +
      '{% for message in messages %}{{ message.content }}{% endfor %}';
    const file = writeMutatedGguf(readFileSync(tinyLlamaFixture({ seed: 3 })), join(tempDir(), 'bomb.gguf'), {
      set: { 'tokenizer.chat_template': { type: 'string', value: bomb } },
    });
    // The load has all the time a loaded machine needs; the template, once it starts, 3 s.
    const verdict = await new ModelProbe(testProbeLauncher(), 170_000, 3_000).probe(file);
    expect(verdict).toEqual({
      usable: false,
      reason: expect.stringMatching(/^Its chat template .* did not finish writing a short prompt within 3 s/),
    });
  }, 200_000);

  it('marks a model unusable when the test load never finishes, and ends the child', async () => {
    let killed = false;
    const hanging: ProbeLauncher = {
      start: () => ({ exited: new Promise(() => undefined), kill: () => void (killed = true) }),
    };
    const verdict = await new ModelProbe(hanging, 50).probe('/models/slow.gguf');
    expect(verdict).toEqual({ usable: false, reason: expect.stringMatching(/did not finish within/) });
    expect(killed).toBe(true);
  });

  it('ends the test load when it is stopped (a cancel, a quit), and gives no verdict', async () => {
    let killed = 0;
    const launcher: ProbeLauncher = {
      start: () => ({ exited: new Promise(() => undefined), kill: () => void killed++ }),
    };
    const stop = new AbortController();
    const probing = new ModelProbe(launcher, 170_000).probe('model.gguf', stop.signal);
    stop.abort();
    expect(await probing).toBeNull();
    expect(killed).toBe(1);
  });
});

describe('the probe in the library', () => {
  const { harness, open } = useDownloadHarness(tempDir);

  function fakeLauncher(result: { code: number | null; signal: string | null; stderr: string }) {
    const started: string[] = [];
    const launcher: ProbeLauncher = {
      start: (path) => {
        started.push(path);
        return { exited: Promise.resolve(result), kill: () => undefined };
      },
    };
    return { launcher, started };
  }

  it('lists an imported model whose test load crashed as unusable, with the reason, and never loads it', async () => {
    const { launcher, started } = fakeLauncher({
      code: null,
      signal: 'SIGABRT',
      stderr: 'ggml.c:1: GGML_ASSERT(hparams.n_head_kv() > 0) failed\n',
    });
    const h = harness({ stack: { probe: launcher } });
    const model = await h.stack.library.importFile(tinyLlamaFixture({ seed: 3 }), 'Crashy');
    // Test-loaded as the partial copy, before it is placed in the models folder (see install-order.test.ts).
    expect(started).toEqual([join(h.modelsDir, PARTIAL_DIR, 'crashy.import')]);
    expect(model.unusable).toMatch(/crashed on this file during a test load \(SIGABRT\): .*GGML_ASSERT/);
    expect(h.stack.library.installed()).toMatchObject([{ id: 'crashy', unusable: model.unusable }]);
    expect(h.stack.library.installedFile('crashy')).toBeUndefined();
    await expect(h.stack.load('crashy')).rejects.toMatchObject({
      code: 'local_model_error',
      message: expect.stringMatching(
        /^Quire can't use Crashy: .*crashed on this file.*Delete it on the Models screen\.$/,
      ),
    });
  });

  it("keeps a crashed model's verdict with its record: it stays unusable after the writer picks another models folder", async () => {
    // The audit's case: the verdict lived in the models folder; after a folder change and a restart the record (an
    // absolute path) was still there, the verdict was not, and the file that aborts llama.cpp was loadable again.
    const { launcher } = fakeLauncher({ code: null, signal: 'SIGABRT', stderr: 'GGML_ASSERT(x) failed\n' });
    const data = tempDir();
    let modelsDir = join(data, 'models');
    const first = harness({ dataDir: data, stack: { probe: launcher, modelsDir: () => modelsDir } });
    const model = await first.stack.library.importFile(tinyLlamaFixture({ seed: 21 }), 'Crashy');
    expect(model.unusable).toMatch(/crashed/);
    await first.stack.close();
    modelsDir = join(tempDir(), 'elsewhere');
    const restarted = harness({ dataDir: data, stack: { probe: launcher, modelsDir: () => modelsDir } });
    expect(restarted.stack.library.installed()).toMatchObject([{ id: 'crashy', unusable: model.unusable }]);
    expect(restarted.stack.library.installedFile('crashy')).toBeUndefined();
    expect(await restarted.stack.startupProbes).toBe(0);
  });

  it('honours a verdict an earlier Quire kept beside the models', () => {
    const h = harness();
    const record = {
      id: 'old',
      name: 'Old',
      file: tinyLlamaFixture({ seed: 22 }),
      size_bytes: 1,
      sha256: 'a'.repeat(64),
      verified_against: 'none' as const,
      source: 'import' as const,
      catalog_id: null,
      url: null,
      architecture: 'llama',
      context_length: 128,
      added_at: '2026-01-01T00:00:00.000Z',
    };
    writeFileSync(
      join(h.stack.library.modelsDir(), LEGACY_VERDICTS_FILE),
      JSON.stringify({ [record.sha256]: { usable: false, reason: 'crashed' } }),
    );
    expect(h.stack.library.unusableReason(record)).toBe('crashed');
    expect(h.stack.library.unusableReason({ ...record, sha256: 'b'.repeat(64) })).toBeNull();
  });

  it('never loads a model whose test load was cut off: listed as not tested, and tested when Quire starts', async () => {
    // Added with no test load (as a test load cut off by a quit leaves it), then Quire starts with test loads on.
    const data = tempDir();
    const before = harness({ dataDir: data });
    await before.stack.library.importFile(tinyLlamaFixture({ seed: 23 }), 'Untested');
    await before.stack.close();
    let exit!: (outcome: { code: number; signal: null; stderr: string }) => void;
    const started: string[] = [];
    const launcher: ProbeLauncher = {
      start: (path) => {
        started.push(path);
        return { exited: new Promise((resolve) => (exit = resolve)), kill: () => undefined };
      },
    };
    const h = harness({ dataDir: data, stack: { probe: launcher } });
    expect(h.stack.library.installed()).toMatchObject([{ id: 'untested', unusable: NOT_TESTED_YET }]);
    expect(h.stack.library.installedFile('untested')).toBeUndefined();
    await vi.waitFor(() => expect(started).toHaveLength(1));
    exit({ code: 0, signal: null, stderr: '' });
    expect(await h.stack.startupProbes).toBe(1);
    expect(h.stack.library.installed()).toMatchObject([{ id: 'untested', unusable: null }]);
    expect(h.stack.library.installedFile('untested')).toBeDefined();
  });

  it('test-loads a URL download but not a SHA-256-verified catalog download', async () => {
    const { launcher, started } = fakeLauncher({ code: 0, signal: null, stderr: '' });
    const fixture = tinyLlamaFixture({ seed: 11 });
    const sha = await hashFile(fixture);
    const s = await startFileServer();
    s.route('/tiny.gguf', { file: fixture });
    // Another model: the catalog's own bytes again would be refused as already installed.
    s.route('/other/tiny.gguf', { file: tinyLlamaFixture({ seed: 12 }) });
    const h = harness({ catalog: catalogFor(`${s.url}/tiny.gguf`, sha), stack: { probe: launcher } });
    open.at(-1)!.server = s;
    await h.stack.downloads.start({ id: 'tiny-chat' });
    await h.waitFor('download:done', 'tiny-chat');
    expect(started).toEqual([]);
    const byUrl = await h.stack.downloads.start({ url: `${s.url}/other/tiny.gguf`, name: 'By URL' });
    const done = await h.waitFor('download:done', byUrl.id);
    expect(started).toHaveLength(1);
    expect(done.payload).toMatchObject({ model: { unusable: null } });
  });
});
