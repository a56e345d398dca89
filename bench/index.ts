// `npm run bench`: every benchmark prints its figures and ratios measured side by side in one run.
// Benchmarks are scripts, not tests: they assert nothing, they report.
import { benchDispatch } from './dispatch.bench';
import { benchOrchestrator } from './orchestrator.bench';
import { benchTournament } from './tournament.bench';
import { benchRuns } from './runs.bench';
import { benchDownloads, benchLocal } from './local.bench';
import { benchMatching } from './matching.bench';
import { benchTokens } from './tokens.bench';
import { benchLedger } from './ledger.bench';
import { benchManuscripts } from './manuscripts.bench';
import { benchGateway } from './gateway.bench';

const BENCHES: { name: string; run: () => Promise<void> }[] = [
  { name: 'contract dispatch', run: benchDispatch },
  { name: 'orchestrator decisions', run: benchOrchestrator },
  { name: 'tournament', run: benchTournament },
  { name: 'finding matching', run: benchMatching },
  { name: 'runs and failover', run: benchRuns },
  { name: 'local models', run: benchLocal },
  { name: 'downloads', run: benchDownloads },
  { name: 'tokens', run: benchTokens },
  { name: 'ledger, a year of heavy use', run: benchLedger },
  { name: 'manuscripts', run: benchManuscripts },
  { name: 'gateway', run: benchGateway },
];

const only = process.argv[2];
for (const bench of BENCHES) {
  if (only && !bench.name.includes(only)) continue;
  console.log(`\n## ${bench.name}`);
  await bench.run();
}
