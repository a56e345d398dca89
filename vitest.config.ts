import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // `$contract` and `$contract/<module>`, as in tsconfig.json's paths.
  resolve: { alias: { $contract: resolve('src-preload/contract') } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // node-llama-cpp and SQLite tests are CPU-heavy on a 2-core machine: keep workers few.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'src-main/**/*.test.ts',
            'src-preload/**/*.test.ts',
            'scripts/**/*.test.ts',
            'test/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          exclude: ['test/renderer/**'],
          environment: 'node',
        },
      },
      {
        // The renderer's managers run on Svelte's client runtime, as in the app: runes compiled for the browser and
        // the browser build of svelte, still under Node (no DOM is needed: managers take their host as arguments).
        extends: true,
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          include: ['src-renderer/**/*.test.ts'],
          environment: './test/renderer/environment.ts',
          setupFiles: ['./test/renderer/setup.ts'],
        },
      },
    ],
  },
});
