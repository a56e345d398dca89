// Local models: the curated catalog, the installed library, fit checks, downloads and residency.
import { z } from 'zod';
import { channel, noInput } from './define';

const sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'A SHA-256 is 64 hexadecimal characters')
  .transform((value) => value.toLowerCase());
const idSchema = z.string().min(1).max(200);
const httpUrl = z
  .string()
  .max(4096)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'Must be an http(s) URL');

/** One curated GGUF in resources/catalog.json (or the file QUIRE_CATALOG names). */
export const catalogEntrySchema = z
  .object({
    id: idSchema,
    display_name: z.string().min(1).max(200),
    /** The registry model this file serves (resources/models.json). */
    registry_model_id: z.string().min(1).max(200).nullable(),
    hf_repo: z.string().min(1).max(200).optional(),
    hf_file: z.string().min(1).max(500).optional(),
    /** A direct URL; otherwise https://huggingface.co/<hf_repo>/resolve/main/<hf_file>. */
    url: httpUrl.optional(),
    quantization: z.string().min(1).max(50),
    size_bytes: z.number().int().positive(),
    /** null when the hash was not verified when the catalog was written: the HF LFS oid is used at download time. */
    sha256: sha256Schema.nullable(),
    sha256_source: z.enum(['verified', 'unverified_use_hf_lfs_oid']),
    memory_estimate_mb: z.number().int().positive(),
    context_length: z.number().int().positive(),
    parameters: z.string().max(20).optional(),
    license: z.string().max(100).optional(),
    notes: z.string().max(1000).optional(),
  })
  .refine((entry) => entry.url !== undefined || (entry.hf_repo !== undefined && entry.hf_file !== undefined), {
    message: 'A catalog entry needs url, or hf_repo and hf_file',
  });
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

export const catalogFileSchema = z.object({
  version: z.literal(1),
  models: z.array(catalogEntrySchema).max(1000),
});

export type FitVerdict = 'fits' | 'tight' | 'wont_fit';

export interface FitReport {
  verdict: FitVerdict;
  /** Memory the model would need resident (weights + context), bytes. */
  need_bytes: number;
  budget_bytes: number;
  /** Already used by resident models. */
  resident_bytes: number;
  /** 'gguf_header': read from the file's header (remote Range reads); 'catalog': the catalog's estimate. */
  source: 'gguf_header' | 'catalog';
  message: string;
}

export type DownloadStatus = 'downloading' | 'paused' | 'verifying' | 'failed';

export interface DownloadInfo {
  id: string;
  name: string;
  url: string;
  catalog_id: string | null;
  status: DownloadStatus;
  received: number;
  total: number | null;
  error: { reason: string; message: string } | null;
}

export interface CatalogItem extends CatalogEntry {
  download_url: string;
  installed: boolean;
  /**
   * The installed model that has this entry's very file under another name (an import of it, another entry's
   * download), once Quire knows the file's SHA-256 (the catalog's, Hugging Face's, or its download's); else null.
   */
  installed_as: string | null;
  download: DownloadInfo | null;
  fit: FitReport;
}

export interface InstalledModel {
  id: string;
  name: string;
  file: string;
  size_bytes: number;
  sha256: string;
  verified_against: 'catalog' | 'hf_lfs_oid' | 'user' | 'none';
  source: 'catalog' | 'url' | 'import';
  catalog_id: string | null;
  /** The registry model id that runs this file. */
  registry_model_id: string | null;
  architecture: string;
  context_length: number;
  added_at: string;
  resident: boolean;
  /** Why this model is never loaded (its test load in a separate process crashed or failed); null when usable. */
  unusable?: string | null;
}

export interface ResidentModelInfo {
  id: string;
  bytes: number;
  context_size: number;
  loaded_at: string;
  last_used_at: string;
  busy: boolean;
}

export const downloadInputSchema = z.union([
  z.strictObject({ id: idSchema }),
  z.strictObject({ url: httpUrl, sha256: sha256Schema.optional(), name: z.string().min(1).max(200).optional() }),
]);
export type DownloadInput = z.infer<typeof downloadInputSchema>;

const byId = z.strictObject({ id: idSchema });

export const modelsChannels = {
  'models:catalog': channel<CatalogItem[]>()(noInput),
  'models:installed': channel<InstalledModel[]>()(noInput),
  'models:fit': channel<FitReport>()(z.union([z.strictObject({ id: idSchema }), z.strictObject({ url: httpUrl })])),
  'models:download': channel<DownloadInfo>()(downloadInputSchema),
  'models:downloads': channel<DownloadInfo[]>()(noInput),
  'models:pause': channel<DownloadInfo>()(byId),
  'models:resume': channel<DownloadInfo>()(byId),
  'models:cancel': channel<DownloadInfo[]>()(byId),
  'models:delete': channel<InstalledModel[]>()(byId),
  /**
   * Copies a .gguf into the models folder, checks and test-loads it. With an `import_id` of the caller's choosing it
   * pushes `import:progress` and can be stopped with `models:import_stop`.
   */
  'models:import': channel<InstalledModel>()(
    z.strictObject({
      path: z.string().min(1).max(4096),
      name: z.string().min(1).max(200).optional(),
      import_id: z.string().min(1).max(100).optional(),
    }),
  ),
  /** Stops an import in flight (it then fails as `cancelled`, with nothing kept); `stopping: false` when none runs. */
  'models:import_stop': channel<{ stopping: boolean }>()(z.strictObject({ import_id: z.string().min(1).max(100) })),
  'models:load': channel<ResidentModelInfo>()(byId),
  'models:unload': channel<ResidentModelInfo[]>()(byId),
  'models:resident': channel<ResidentModelInfo[]>()(noInput),
};

export interface DownloadProgress {
  id: string;
  received: number;
  total: number | null;
  bytes_per_s: number;
  eta_s: number | null;
}

/**
 * Where an import stands: `copying` (`copied` of `total` bytes, hashed as they are copied), then `checking` the copy's
 * GGUF header, then `testing` it (a test load of up to 20 s).
 */
export interface ImportProgress {
  import_id: string;
  stage: 'copying' | 'checking' | 'testing';
  copied: number;
  total: number;
}

export interface ModelsEvents {
  /** What is in memory, whenever it changes (a load, an unload, work starting or ending). */
  'resident:changed': ResidentModelInfo[];
  'import:progress': ImportProgress;
  'download:progress': DownloadProgress;
  'download:done': { id: string; name: string; model: InstalledModel };
  'download:failed': { id: string; name: string; reason: string; message: string; retryable: boolean };
}
