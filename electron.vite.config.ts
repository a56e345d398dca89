import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // index: the Electron main process; host: the same services under plain Node for the browser host.
        input: {
          index: resolve('src-main/electron/main.ts'),
          host: resolve('src-main/host/main.ts'),
          // probe: the short-lived child that test-loads an unverified model (a utilityProcess in the app).
          probe: resolve('src-main/local/probe-child.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        // A sandboxed preload cannot load ES modules or require packages: one self-contained CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    plugins: [svelte()],
    // `$contract` and `$contract/<module>`, as in tsconfig.json's paths.
    resolve: { alias: { $contract: resolve('src-preload/contract') } },
    build: {
      outDir: resolve('out/renderer'),
      // electron-vite leaves the renderer unminified; Chart.js alone was ~330 KB of the ~709 KB bundle that way.
      minify: true,
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
