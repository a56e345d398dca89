// Quire's arrows, checked by `npm run lint` (dependency-cruiser): the layers below, bottom to top. A module may import
// its own layer and the layers under it, never one above. Type-only imports count (tsPreCompilationDeps), so a
// wrong arrow cannot hide behind `import type`. Tests beside the code (`*.test.ts`) and everything under test/,
// bench/, e2e/ and scripts/ may import any layer; product code never imports test/.

/** Bottom to top. `path` is matched against the module's path from the repository root. */
const LAYERS = [
  {
    name: 'contract',
    path: '^src-preload/(contract\\.ts|contract/|channels\\.ts|api\\.ts)',
    comment: 'The contract (channels, schemas, events, the window.quire type) depends on nothing of ours.',
  },
  {
    name: 'errors',
    path: '^src-main/errors/',
    comment: 'QuireError and its kinds: the contract error codes, nothing else.',
  },
  {
    name: 'orchestrator',
    path: '^src-main/orchestrator/',
    comment: 'The pure orchestrator (decide, pricing, registry/task/pack data): the contract and the errors only.',
  },
  {
    name: 'infra',
    path: '^src-main/infra/',
    comment: 'Shared infrastructure (event bus, logger) that every service below the composition root may use.',
  },
  {
    name: 'transport',
    path: '^src-main/transport/',
    comment:
      'The dispatcher (validation, envelopes, the HandlerMap type), Electron IPC and the HTTP host: the channel ' +
      'plumbing, which knows the contract and no domain.',
  },
  {
    name: 'store',
    path: '^src-main/store/',
    comment: 'SQLite: migrations, repos and the micro-USD unit; no domain service.',
  },
  {
    name: 'services',
    path: '^src-main/(keys|settings|ledger|providers|local|tokens|tasks|manuscripts)/',
    comment:
      'Domain services over the store: keys, settings, ledger, providers, local models, token counting, the task ' +
      'library (instructions, answer contracts, quote locating), manuscripts. They may ' +
      'use one another (no cycles) but not routing, runs, tournaments or the composition root.',
  },
  {
    name: 'routing',
    path: '^src-main/routing/',
    comment: 'The orchestrator as services (registry, packs, feedback, decide with live inputs).',
  },
  {
    name: 'runs',
    path: '^src-main/runs/',
    comment: 'Runs: decision, call, fallback chain, ledger. Never tournaments (runs:start is composed in app/).',
  },
  {
    name: 'tournament',
    path: '^src-main/tournament/',
    comment: 'Several models on one task, built on runs.',
  },
  {
    name: 'gateway',
    path: '^src-main/gateway/',
    comment: 'The local OpenAI/Anthropic-compatible server for other apps: every call a run, tokens, caps, doors.',
  },
  {
    name: 'app',
    path: '^src-main/app/',
    comment: 'The composition root: creates every service once and merges the domains\u2019 handlers.',
  },
  {
    name: 'entry points',
    path: '^src-main/(electron|host|cli)/',
    comment: 'Electron main, the browser host and the CLIs: they start the app; nothing imports them.',
  },
];

/** Tests beside the code may reach any layer. */
const TEST_FILE = '\\.test\\.ts$';

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name.replace(/ /g, '-')}`,
  comment: `${layer.comment} (may not import: ${LAYERS.slice(i + 1)
    .map((above) => above.name)
    .join(', ')})`,
  severity: 'error',
  from: { path: layer.path, pathNot: TEST_FILE },
  to: { path: LAYERS.slice(i + 1).map((above) => above.path) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles at all, type-only ones included: every arrow points one way.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'orchestrator-without-side-effects',
      comment: 'The pure orchestrator imports no Node built-in (no files, sockets, processes or clocks).',
      severity: 'error',
      from: { path: '^src-main/orchestrator/', pathNot: TEST_FILE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'contract-without-node',
      comment: 'The contract ships to the renderer: no Node built-ins.',
      severity: 'error',
      from: { path: LAYERS[0].path },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-only-contract',
      comment:
        'The renderer imports only itself, the contract (src-preload/contract*, channels, the window.quire type) ' +
        'and packages: never main, the preload bridge or Node built-ins. Its tests may also use test/renderer/.',
      severity: 'error',
      from: { path: '^src-renderer/', pathNot: TEST_FILE },
      to: { pathNot: ['^src-renderer/', LAYERS[0].path, '^node_modules/'] },
    },
    {
      name: 'renderer-tests-only-renderer-support',
      comment: 'Renderer tests use the renderer\u2019s own fakes (test/renderer/), never main or Node built-ins.',
      severity: 'error',
      from: { path: '^src-renderer/.*\\.test\\.ts$' },
      to: { pathNot: ['^src-renderer/', LAYERS[0].path, '^node_modules/', '^test/renderer/'] },
    },
    {
      name: 'only-electron-shell-imports-electron',
      comment:
        "Only src-main/electron (and the preload bridge, src-preload/index.ts, which must) import 'electron': " +
        'everything else runs in the browser host under plain Node.',
      severity: 'error',
      from: { path: '^(src-main|src-preload|src-renderer)/', pathNot: '^(src-main/electron/|src-preload/index\\.ts$)' },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'product-never-imports-test',
      comment: 'Test code (fakes, harnesses, crash children, GGUF fixtures) lives in test/ and never ships.',
      severity: 'error',
      from: { path: '^(src-main|src-preload|src-renderer)/', pathNot: TEST_FILE },
      to: { path: '^test/' },
    },
    {
      name: 'nothing-imports-entry-points',
      comment: 'Entry points (Electron main, the host, the CLIs, the preload bridge) are where the program starts.',
      severity: 'error',
      from: { pathNot: TEST_FILE },
      to: {
        path: ['^src-main/(electron/main|host/main|cli/quire|cli/router-replay)\\.ts$', '^src-preload/index\\.ts$'],
      },
    },
  ],
  options: {
    // Packages are leaves. So are the build configurations at the root (electron-builder.ts, the Vite configs): the
    // tsconfig resolver maps the bare 'electron-builder' package onto ./electron-builder.ts, a false self-cycle.
    doNotFollow: { path: ['node_modules', '^[^/]+\\.ts$'] },
    exclude: { path: '^(out|dist|test-results|playwright-report)/' },
    // `import type` counts: a type-only cycle or a type-only upward arrow is still a wrong arrow.
    tsPreCompilationDeps: true,
    // Resolves tsconfig paths (the renderer's $contract alias) the way tsc and Vite do.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.svelte', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
