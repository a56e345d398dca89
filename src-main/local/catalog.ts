// The curated GGUF catalog: resources/catalog.json, or the file QUIRE_CATALOG names (tests, organisations).
import { readFileSync } from 'node:fs';
import { catalogFileSchema, type CatalogEntry } from '../../src-preload/contract';
import { InvalidInputError } from '../errors';
import shipped from '../../resources/catalog.json';

function parseCatalog(json: unknown, label: string): CatalogEntry[] {
  const parsed = catalogFileSchema.safeParse(json);
  if (!parsed.success) {
    const error = InvalidInputError.fromZod(parsed.error);
    throw new InvalidInputError(`${label}: ${error.message}`, error.path);
  }
  const ids = new Set<string>();
  for (const entry of parsed.data.models) {
    if (ids.has(entry.id)) throw new InvalidInputError(`${label}: duplicate id "${entry.id}"`, 'models');
    ids.add(entry.id);
  }
  return parsed.data.models;
}

export function loadCatalog(env: NodeJS.ProcessEnv = process.env): CatalogEntry[] {
  const file = env.QUIRE_CATALOG;
  if (!file) return parseCatalog(shipped, 'resources/catalog.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(`QUIRE_CATALOG=${file} cannot be read: ${(cause as Error).message}`, 'QUIRE_CATALOG');
  }
  return parseCatalog(json, file);
}

function huggingFaceUrl(repo: string, file: string, revision = 'main'): string {
  return `https://huggingface.co/${repo}/resolve/${revision}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

export function downloadUrl(entry: CatalogEntry): string {
  return entry.url ?? huggingFaceUrl(entry.hf_repo!, entry.hf_file!);
}

/** The file a model URL names, decoded ("Llama-3.2-3B-Q4_K_M.gguf"); empty when its path ends in a slash. */
export function urlFileName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
}

/** A model file's name without its .gguf extension: the name a model takes from its file. */
export function ggufStem(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '');
}

/** Accepts https://huggingface.co/<org>/<repo>/blob|resolve/<rev>/<file>.gguf and returns the resolve URL. */
export function normalizeModelUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === 'huggingface.co') {
    const match = /^\/([^/]+)\/([^/]+)\/(?:blob|resolve)\/([^/]+)\/(.+)$/.exec(parsed.pathname);
    if (match) return `https://huggingface.co/${match[1]}/${match[2]}/resolve/${match[3]}/${match[4]}`;
  }
  return url;
}
