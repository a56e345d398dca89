// A vitest environment for renderer tests: Node globals, but modules transformed as for the browser (Vite's client
// environment), so Svelte compiles runes for its client runtime: effects run and $state.raw differs from $state.
import type { Environment } from 'vitest/runtime';

export default {
  name: 'renderer',
  viteEnvironment: 'client',
  setup() {
    return { teardown() {} };
  },
} satisfies Environment;
