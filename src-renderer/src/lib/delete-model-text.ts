// What deleting an installed model leaves the writer: said in its confirmation before anything is removed.
import type { Settings } from '$contract';
import type { InstalledModel } from '$contract/models';
import { formatBytes } from './format';

export interface DeleteContext {
  installed: readonly InstalledModel[];
  /** Cloud models that can run now (a key or an endpoint set up). */
  cloudReady: number;
  /** Null until the settings have arrived. */
  orchestrator: Pick<Settings['orchestrator'], 'enabled' | 'force_local'> | null;
  /** Which model packs use these models, in a sentence (PacksManager.usedBy); null when none. */
  packUse: (modelIds: readonly string[]) => string | null;
}

export function deleteModelText(model: InstalledModel, context: DeleteContext): string {
  const sentences = [
    `${model.name} (${formatBytes(model.size_bytes)}) will be removed from this Mac.`,
    model.source === 'import' ? 'The file you imported it from is not touched.' : 'You can download it again later.',
  ];
  const others = context.installed.filter((other) => other.id !== model.id && !other.unusable);
  const settings = context.orchestrator;
  // A writer who chose "free and private" has this one model: after it, every task is refused until another comes.
  if (settings && others.length === 0) {
    if (settings.force_local)
      sentences.push(
        'It is the only model Quire can use while “Keep everything on this Mac” is on: no task can run until you ' +
          'download or add another.',
      );
    else if (context.cloudReady === 0)
      sentences.push(
        'It is the only model Quire can use: no task can run until you download or add another, or add an API key ' +
          'in Settings.',
      );
  }
  // A pack decides only with automatic selection off; with it on, a pack the writer may never have seen is no news.
  const packs =
    model.registry_model_id && settings?.enabled !== true ? context.packUse([model.registry_model_id]) : null;
  if (packs) sentences.push(packs);
  return sentences.join(' ');
}
