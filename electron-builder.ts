// electron-builder configuration (found by name; `npm run dist:mac` uses it): a hardened, notarizable arm64 Mac app
// that carries only the Mac's native binaries. scripts/packaging.test.ts builds it here for Linux with a stand-in
// Electron and checks the result.
import type { Configuration } from 'electron-builder';
import { notarizeIfConfigured } from './scripts/notarize';

/** Native code that must live outside app.asar so dlopen can reach it (node-llama-cpp also looks there itself). */
export const ASAR_UNPACK = [
  'README.md',
  'node_modules/@node-llama-cpp/mac-arm64-metal/**',
  'node_modules/better-sqlite3/prebuilds/*.node',
];

export const config = {
  appId: 'app.quire.desktop',
  productName: 'Quire',
  copyright: 'Copyright © 2026 Quire',
  directories: { output: 'dist', buildResources: 'resources/build' },
  files: [
    'package.json',
    // Help → Quire Help opens it (unpacked below).
    'README.md',
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    'resources/**',
    // Icon and entitlements are read by the build, not by the app.
    '!resources/build/**',
    // node-llama-cpp installs prebuilt llama.cpp for every platform it was installed on (CUDA alone is ~560 MB);
    // the app needs only Apple Silicon's Metal build.
    '!node_modules/@node-llama-cpp/**',
    'node_modules/@node-llama-cpp/mac-arm64-metal/**',
    // llama.cpp's sources, used only to compile it, which a packaged app never does.
    '!node_modules/node-llama-cpp/llama/gitRelease.bundle',
    // better-sqlite3 ships every platform's prebuilt addon plus SQLite's sources: keep the Mac's addon.
    '!node_modules/better-sqlite3/{deps,src}/**',
    '!node_modules/better-sqlite3/prebuilds/**',
    'node_modules/better-sqlite3/prebuilds/darwin-arm64.node',
    // ipull (node-llama-cpp's downloader) pulls in reflink's addon for the installing machine only.
    '!node_modules/@reflink/reflink-*/**',
    'node_modules/@reflink/reflink-darwin-arm64/**',
    // gpt-tokenizer ships every OpenAI encoding in three module formats with per-model entry points (~30 MB); the
    // token counter loads only the ES build of o200k_base and cl100k_base.
    '!node_modules/gpt-tokenizer/{cjs,src,data,esm/model,esm/fixtures}/**',
    '!node_modules/gpt-tokenizer/esm/{bpeRanks,encoding}/{p50k_base,p50k_edit,r50k_base,gpt2,o200k_harmony}.js',
    // Source maps, TypeScript sources and C/C++ headers: half the SDKs' weight, never loaded at run time.
    '!node_modules/**/*.{map,ts,mts,cts,h,hpp,c,cc,cpp}',
  ],
  asar: true,
  asarUnpack: ASAR_UNPACK,
  // Both native modules are Node-API prebuilds: nothing to recompile against Electron's headers (and nothing to
  // download while building).
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  // No auto-update: a new version is something the writer chooses to install, never a silent download.
  publish: null,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    // Flipping fuses breaks the ad-hoc signature Apple Silicon requires; an unsigned local build needs it redone.
    resetAdHocDarwinSignature: true,
  },
  mac: {
    target: [
      { target: 'dmg', arch: ['arm64'] },
      { target: 'zip', arch: ['arm64'] },
    ],
    artifactName: '${productName}-${version}-${arch}.${ext}',
    // An .icns is used as is; from a PNG electron-builder would first download an icon converter.
    icon: 'resources/build/icon.icns',
    category: 'public.app-category.productivity',
    minimumSystemVersion: '12.0',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    entitlements: 'resources/build/entitlements.mac.plist',
    entitlementsInherit: 'resources/build/entitlements.mac.plist',
    // Notarization is done by the afterSign hook below, only when credentials are present.
    notarize: false,
  },
  dmg: { title: '${productName} ${version}' },
  // Only used by the packaging smoke test, which cannot build for macOS on Linux.
  linux: { target: ['dir'], icon: 'resources/build/icon.png', category: 'Office' },
  afterSign: (context) => notarizeIfConfigured(context).then(() => undefined),
} satisfies Configuration;

export default config;
