// The packaging configuration, checked with electron-builder's own schema validator and against what the Mac app
// needs: arm64 dmg + zip, hardened runtime with the entitlements, fuses, the native binaries outside app.asar.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import config, { ASAR_UNPACK } from '../electron-builder';

// The plist parser electron-builder itself uses (untyped).
const plist = createRequire(import.meta.url)('plist') as { parse(xml: string): unknown };
const validate = (candidate: unknown) => validateConfiguration(candidate as typeof config, new DebugLogger(false));

describe('electron-builder configuration', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('the validator is really applied: a wrong type or an unknown key is refused', async () => {
    await expect(validate({ ...config, mac: { ...config.mac, hardenedRuntime: 'yes' } })).rejects.toThrow(
      /hardenedRuntime/,
    );
    await expect(validate({ ...config, electronFusez: {} })).rejects.toThrow(/electronFusez/);
  });

  it('builds a hardened arm64 dmg and zip with notarization left to the afterSign hook', () => {
    expect(config.mac.target).toEqual([
      { target: 'dmg', arch: ['arm64'] },
      { target: 'zip', arch: ['arm64'] },
    ]);
    expect(config).toMatchObject({ appId: 'app.quire.desktop', productName: 'Quire', publish: null });
    expect(config.mac).toMatchObject({ hardenedRuntime: true, notarize: false, category: expect.any(String) });
    expect(typeof config.afterSign).toBe('function');
    // dist/Quire-0.1.0-arm64.dmg and .zip, as the README says.
    expect(config.mac.artifactName).toBe('${productName}-${version}-${arch}.${ext}');
  });

  it('sets the fuses: no RunAsNode, NODE_OPTIONS or --inspect; cookies encrypted; app only from a verified asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
  });

  it('grants the JIT and library-loading entitlements Electron and the Metal addon need, in a valid plist', () => {
    for (const path of [config.mac.entitlements, config.mac.entitlementsInherit]) {
      const parsed = plist.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      expect(parsed).toEqual({
        'com.apple.security.cs.allow-jit': true,
        'com.apple.security.cs.allow-unsigned-executable-memory': true,
        'com.apple.security.cs.disable-library-validation': true,
      });
    }
  });

  it('has a Mac .icns holding every size up to 1024×1024, and a 1024×1024 PNG for Linux', () => {
    const pngSize = (png: Buffer) => {
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
      expect(png[25]).toBe(6); // RGBA
      return [png.readUInt32BE(16), png.readUInt32BE(20)];
    };
    expect(pngSize(readFileSync(config.linux.icon))).toEqual([1024, 1024]);

    const icns = readFileSync(config.mac.icon);
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const sizes = new Map<string, number>();
    for (let offset = 8; offset < icns.length;) {
      const length = icns.readUInt32BE(offset + 4);
      sizes.set(
        icns.subarray(offset, offset + 4).toString('ascii'),
        pngSize(icns.subarray(offset + 8, offset + length))[0]!,
      );
      offset += length;
    }
    expect(Object.fromEntries(sizes)).toEqual({
      icp4: 16,
      icp5: 32,
      ic11: 32,
      ic12: 64,
      ic07: 128,
      ic13: 256,
      ic08: 256,
      ic14: 512,
      ic09: 512,
      ic10: 1024,
    });
  });

  it('unpacks the Metal build of llama.cpp and the SQLite addon from app.asar', () => {
    const unpacked = (path: string) => ASAR_UNPACK.some((pattern) => minimatch(path, pattern, { dot: true }));
    // The Metal package is only installed on a Mac, so here its files are checked against the patterns.
    expect(unpacked('node_modules/@node-llama-cpp/mac-arm64-metal/bins/mac-arm64-metal/llama-addon.node')).toBe(true);
    expect(unpacked('node_modules/@node-llama-cpp/mac-arm64-metal/bins/mac-arm64-metal/libggml-metal.dylib')).toBe(
      true,
    );
    expect(unpacked('node_modules/better-sqlite3/prebuilds/darwin-arm64.node')).toBe(true);
    expect(unpacked('out/main/index.js')).toBe(false);
  });
});
