// `npm run router:replay -- <file.jsonl> [--tier T] [--seed N] [--models file.json] [--json]`: learn quality estimates
// from a training split of scored prompts and compare the tiers with "always cheapest" and "always best" on the rest.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { qualityTierSchema, type QualityTier } from '../../src-preload/contract';
import { mergeRegistry, parseRegistry } from '../orchestrator/registry';
import { formatReport, replay, replayRowSchema, type ReplayRow } from '../orchestrator/replay';
import { shippedModels, shippedTasks } from '../routing/resources';

const USAGE =
  'usage: npm run router:replay -- <file.jsonl> [--tier budget|balanced|premium] [--seed N] [--models file.json] [--json]';

export function runReplayCli(argv: string[], out: (text: string) => void): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      tier: { type: 'string' },
      seed: { type: 'string' },
      models: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (values.help || !file) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  let tiers: QualityTier[] | undefined;
  if (values.tier !== undefined) {
    const tier = qualityTierSchema.safeParse(values.tier);
    if (!tier.success) throw new Error(`--tier must be budget, balanced or premium, got "${values.tier}"`);
    tiers = [tier.data];
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}"`);

  const rows: ReplayRow[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const parsed = replayRowSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(
          `${file}:${i + 1}: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
        );
      rows.push(parsed.data);
    });
  const extra = values.models ? parseRegistry(JSON.parse(readFileSync(values.models, 'utf8'))) : [];
  const registry = mergeRegistry(shippedModels(), extra);
  // Priced at a fixed instant so a replay is reproducible (10:00 UTC: standard, not off-peak, prices).
  const report = replay(rows, registry, shippedTasks(), {
    ...(tiers ? { tiers } : {}),
    seed,
    at: new Date('2026-11-18T10:00:00Z'),
  });
  out(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = runReplayCli(process.argv.slice(2), (text) => console.log(text));
  } catch (error) {
    console.error(`router:replay: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
