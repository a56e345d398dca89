// `npm run quire -- packs list | current | use <name> [--data-dir DIR]`: seed 003's pack switcher, against the same
// data directory the app uses (--data-dir, else QUIRE_DATA_DIR, else the platform's app-data folder).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventBus } from '../infra/event-bus';
import { resolveDataDir } from '../app/paths';
import { isQuireError } from '../errors';
import { zeroSpend } from '../orchestrator/sources';
import { envAvailability } from '../providers/env-availability';
import { createRouting } from '../routing/create-routing';
import { SettingsService } from '../settings/settings-service';
import { openDatabase } from '../store/database';
import { SettingsRepo } from '../store/repos/settings-repo';

const USAGE = 'usage: npm run quire -- packs list | current | use <name> [--data-dir DIR]';

export function runQuireCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const [domain, verb, name] = positionals;
  if (values.help || domain !== 'packs' || !verb) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  const dataDir = resolveDataDir(values['data-dir'], env);
  // A mistyped folder would otherwise become a fresh, empty Quire: the writer's packs would seem gone.
  if ((values['data-dir'] !== undefined || env.QUIRE_DATA_DIR !== undefined) && !existsSync(dataDir)) {
    out(
      `quire: there is no folder at ${dataDir}. Check the path given to --data-dir (or QUIRE_DATA_DIR); nothing was created.`,
    );
    return 1;
  }
  const now = () => new Date();
  const db = openDatabase(join(dataDir, 'quire.sqlite'));
  try {
    const settings = new SettingsService(new SettingsRepo(db, now), new EventBus());
    const { packs } = createRouting({ db, settings, now, availability: envAvailability(env), spend: zeroSpend });
    switch (verb) {
      case 'list': {
        const list = packs.list();
        for (const pack of list.packs) {
          const marker = pack.name === list.active ? '*' : ' ';
          const kind = pack.builtin ? 'built-in' : 'custom';
          out(`${marker} ${pack.name.padEnd(16)} ${kind.padEnd(9)} ${pack.display_name}: ${pack.description}`);
        }
        return 0;
      }
      case 'current': {
        const pack = packs.active();
        out(`Current pack: ${pack.name} (${pack.display_name})`);
        for (const [task, model] of Object.entries(pack.tasks)) out(`  ${task.padEnd(22)} ${model}`);
        return 0;
      }
      case 'use': {
        if (!name) {
          out(USAGE);
          return 2;
        }
        const list = packs.activate(name);
        const automatic = settings.get().orchestrator.enabled;
        out(
          `Active pack is now ${list.active}.` +
            (automatic
              ? ' It decides only while “Choose models automatically” is off in Settings (it is on now).'
              : ''),
        );
        return 0;
      }
      default:
        out(USAGE);
        return 2;
    }
  } catch (error) {
    if (isQuireError(error)) {
      out(`quire: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = runQuireCli(process.argv.slice(2), process.env, (line) => console.log(line));
  } catch (error) {
    console.error(`quire: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
