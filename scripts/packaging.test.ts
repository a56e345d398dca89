// Packaging smoke test: builds the app with electron-builder as far as this machine allows (`--dir --linux`, since a
// Mac build needs macOS) against a stand-in Electron, offline, and checks what would ship: the built code and data in
// app.asar, the Mac's native binaries unpacked and nobody else's, the fuses flipped, and the size.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import asar from '@electron/asar';
import { getCurrentFuseWire } from '@electron/fuses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
/** The Linux smoke build measured 22 MB; the bound leaves room for shipped data, not for another platform's binaries. */
const SIZE_BOUND_MB = 40;
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_COUNT = 8;
/** A fuse is the byte '0' (off) or '1' (on). */
const FuseState = { DISABLE: 0x30, ENABLE: 0x31 } as const;

/**
 * A folder that looks enough like an unpacked Electron for electron-builder: an `electron` executable carrying the
 * fuse wire (sentinel, version 1, length, one '1' per fuse, as Electron ships them) so the real fuse flipping runs.
 */
function makeStandInElectron(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const wire = Buffer.concat([
    Buffer.from(FUSE_SENTINEL, 'ascii'),
    Buffer.from([1, FUSE_COUNT]),
    Buffer.alloc(FUSE_COUNT, FuseState.ENABLE),
  ]);
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), wire]));
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in for the Electron binary, which cannot be downloaded here\n');
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

/** Files an ES module imports relatively, recursively (the packaged app resolves them inside app.asar). */
function importGraph(entry: string): string[] {
  const seen = new Set<string>();
  const todo = [normalize(entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/\bfrom\s*"(\.[^"]+)"/g)) {
      todo.push(normalize(join(dirname(file), specifier!)));
    }
  }
  return [...seen];
}

const sizeOf = (dir: string) => walk(dir).reduce((total, file) => total + statSync(file).size, 0);

/** Mach-O 64-bit for arm64: magic 0xfeedfacf, CPU type 0x0100000c, both little-endian. */
function isMacArm64(file: string): boolean {
  const head = readFileSync(file).subarray(0, 8);
  return head.readUInt32LE(0) === 0xfeedfacf && head.readUInt32LE(4) === 0x0100000c;
}

describe('packaged app (electron-builder --dir --linux, stand-in Electron, offline)', () => {
  const work = join(tmpdir(), `quire-packaging-${process.pid}`);
  const appDir = join(work, 'dist', 'linux-unpacked');
  const archive = join(appDir, 'resources', 'app.asar');
  const unpackedDir = `${archive}.unpacked`;
  let log = '';
  let entries: string[] = [];

  beforeAll(() => {
    rmSync(work, { recursive: true, force: true });
    makeStandInElectron(join(work, 'electron-dist'));
    const run = (script: string, args: string[]): string => {
      const result = spawnSync(process.execPath, [script, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          // electron-builder stays silent under vitest; its log is what shows nothing was downloaded.
          VITEST: '',
          // Any attempt to fetch (Electron, tools, metadata) goes to a closed port and fails the build.
          HTTP_PROXY: 'http://127.0.0.1:9',
          HTTPS_PROXY: 'http://127.0.0.1:9',
          ELECTRON_GET_USE_PROXY: '1',
          GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9',
          npm_config_offline: 'true',
          CSC_IDENTITY_AUTO_DISCOVERY: 'false',
        },
      });
      const output = `${result.stdout}${result.stderr}`;
      if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} failed:\n${output}`);
      return output;
    };
    run(join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), ['build']);
    log = run(join(ROOT, 'node_modules/electron-builder/cli.js'), [
      '--dir',
      '--linux',
      `-c.electronDist=${join(work, 'electron-dist')}`,
      `-c.directories.output=${join(work, 'dist')}`,
    ]);
    entries = asar.listPackage(archive, { isPack: false }).map((entry) => entry.replace(/\\/g, '/'));
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('downloads nothing', () => {
    expect(log).toContain('using custom unpacked Electron distribution');
    expect(log).not.toMatch(/download/i);
  });

  it('holds the built main, preload and renderer, and package.json pointing at main', () => {
    for (const file of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html']) {
      expect(entries).toContain(file);
    }
    expect(entries.some((entry) => /^\/out\/renderer\/assets\/index-.*\.js$/.test(entry))).toBe(true);
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string };
    expect(pkg.main).toBe('./out/main/index.js');
  });

  it('ships no test code: nothing from test/, and no fake provider or test harness in the built main', () => {
    expect(entries.filter((entry) => entry.startsWith('/test/'))).toEqual([]);
    const mainFiles = entries.filter((entry) => /^\/out\/main\/.*\.js$/.test(entry));
    expect(mainFiles.length).toBeGreaterThan(0);
    for (const file of mainFiles) {
      // Strings only test/support carries: the fake server's message ids and the temporary folders' prefix.
      expect(asar.extractFile(archive, file.slice(1)).toString('utf8'), file).not.toMatch(/msg_fake|quire-test-/);
    }
  });

  it('holds every shipped data file from resources/, but not the build-only icon and entitlements', () => {
    const shipped = walk(join(ROOT, 'resources'))
      .map((file) => `/${relative(ROOT, file).replace(/\\/g, '/')}`)
      .filter((file) => !file.startsWith('/resources/build/'));
    for (const file of shipped) expect(entries).toContain(file);
    expect(entries.filter((entry) => entry.startsWith('/resources/build'))).toEqual([]);
  });

  it('serves a renderer page with the CSP and no inline script', () => {
    const html = asar.extractFile(archive, 'out/renderer/index.html').toString('utf8');
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\.\/assets\//);
      expect(body!.trim()).toBe('');
    }
  });

  it('unpacks the native SQLite addon, and every native binary inside is the Mac arm64 one', () => {
    const addon = join(unpackedDir, 'node_modules/better-sqlite3/prebuilds/darwin-arm64.node');
    expect(existsSync(addon)).toBe(true);
    const nativeFiles = walk(appDir).filter((file) => /\.(node|dylib|so(\.\d+)*|dll)$/.test(file));
    expect(nativeFiles.map((file) => relative(unpackedDir, file))).toEqual([
      'node_modules/better-sqlite3/prebuilds/darwin-arm64.node',
    ]);
    for (const file of nativeFiles) expect(isMacArm64(file), file).toBe(true);
    // Nothing native stayed packed inside the archive either.
    expect(entries.filter((entry) => /\.(node|dylib|so|dll)$/.test(entry))).toEqual([
      '/node_modules/better-sqlite3/prebuilds/darwin-arm64.node',
    ]);
    expect(existsSync(join(archive.replace('app.asar', ''), 'app.asar.unpacked', 'out'))).toBe(false);
  });

  it("ships no other platform's llama.cpp build (those installed here: linux-*, CUDA, Vulkan)", () => {
    const installed = readdirSync(join(ROOT, 'node_modules/@node-llama-cpp'));
    expect(installed.filter((name) => name !== 'mac-arm64-metal').length).toBeGreaterThan(0);
    const inside = [...entries, ...walk(appDir).map((file) => `/${relative(appDir, file)}`)];
    const llamaPackages = new Set(
      inside.flatMap((entry) => /node_modules\/@node-llama-cpp\/([^/]+)/.exec(entry)?.[1] ?? []),
    );
    expect([...llamaPackages].filter((name) => name !== 'mac-arm64-metal')).toEqual([]);
    expect(entries).not.toContain('/node_modules/node-llama-cpp/llama/gitRelease.bundle');
    expect(entries).toContain('/node_modules/node-llama-cpp/package.json');
  });

  it('ships every module the token counter imports from gpt-tokenizer, and none of its other formats', () => {
    const esm = join(ROOT, 'node_modules/gpt-tokenizer/esm');
    const needed = ['encoding/o200k_base.js', 'encoding/cl100k_base.js', 'encodingParams/constants.js'].flatMap(
      (entry) => importGraph(join(esm, entry)),
    );
    expect(needed.length).toBeGreaterThan(10);
    for (const file of needed) expect(entries).toContain(`/${relative(ROOT, file).replace(/\\/g, '/')}`);
    expect(entries.filter((entry) => /node_modules\/gpt-tokenizer\/(cjs|src|data)\//.test(entry))).toEqual([]);
  });

  it('flips the fuses in the packaged executable', async () => {
    const wire = await getCurrentFuseWire(join(appDir, 'quire'));
    expect([wire[0], wire[1], wire[2], wire[3], wire[4], wire[5]]).toEqual([
      FuseState.DISABLE, // RunAsNode
      FuseState.ENABLE, // EnableCookieEncryption
      FuseState.DISABLE, // EnableNodeOptionsEnvironmentVariable
      FuseState.DISABLE, // EnableNodeCliInspectArguments
      FuseState.ENABLE, // EnableEmbeddedAsarIntegrityValidation
      FuseState.ENABLE, // OnlyLoadAppFromAsar
    ]);
  });

  it('has no auto-update feed', () => {
    expect(existsSync(join(appDir, 'resources', 'app-update.yml'))).toBe(false);
  });

  it(`stays under ${SIZE_BOUND_MB} MB unpacked`, () => {
    const megabytes = sizeOf(appDir) / 1024 / 1024; // MiB, as du -sh counts
    console.log(`packaged app (Linux smoke build, stand-in Electron): ${megabytes.toFixed(1)} MB unpacked`);
    expect(megabytes).toBeLessThan(SIZE_BOUND_MB);
  });
});
