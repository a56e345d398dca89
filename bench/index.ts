// `npm run bench`: every benchmark prints its figures and ratios measured side by side in one run.
// Benchmarks are scripts, not tests: they assert nothing, they report.
import { benchDispatch } from './dispatch.bench';

const BENCHES: { name: string; run: () => Promise<void> }[] = [{ name: 'contract dispatch', run: benchDispatch }];

const only = process.argv[2];
for (const bench of BENCHES) {
  if (only && !bench.name.includes(only)) continue;
  console.log(`\n## ${bench.name}`);
  await bench.run();
}
