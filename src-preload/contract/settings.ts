import { z } from 'zod';
import { channel, noInput } from './define';
import { isFullPath } from './typed-path';

export const QUALITY_TIERS = ['budget', 'balanced', 'premium'] as const;
export const qualityTierSchema = z.enum(QUALITY_TIERS);
export type QualityTier = z.infer<typeof qualityTierSchema>;
/**
 * The tiers as a writer reads them, everywhere: the welcome's choices, Settings' tier cards, the Workbench and the
 * orchestrator's reasons. "Budget" is not one of them: it is the monthly spending limit's name in Settings.
 */
export const TIER_NAMES: Record<QualityTier, string> = { budget: 'Lowest cost', balanced: 'Balanced', premium: 'Best' };

const usd = (label: string) =>
  z
    .number({ error: `${label} must be a number of US dollars` })
    .finite(`${label} must be a finite number`)
    .min(0, `${label} must be zero or more (leave it empty for no limit)`)
    .max(1_000_000, `${label} must be at most $1,000,000`);

export const orchestratorSettingsSchema = z.object({
  /** Off: the active model pack's task → model mapping decides (seed 000's manual task_models). */
  enabled: z.boolean(),
  quality_tier: qualityTierSchema,
  /** USD per calendar month in the writer's time zone; null = unlimited. */
  monthly_budget: usd('Monthly budget').nullable(),
  prefer_local: z.boolean(),
  /** Seed 002's FORCE_LOCAL_LLM: nothing leaves the machine. */
  force_local: z.boolean(),
  cost_tracking_enabled: z.boolean(),
  active_pack: z.string().min(1).max(100),
});

export const tournamentSettingsSchema = z.object({
  enabled: z.boolean(),
  critical_tasks: z.array(z.string().min(1).max(100)).max(100),
  num_models: z.number().int().min(2, 'A tournament needs at least 2 models').max(5, 'At most 5 models'),
  /** Worst-case USD one tournament may reserve; null = only the monthly budget applies. */
  cost_cap_usd: usd('Tournament cost cap').nullable(),
});

export const localSettingsSchema = z.object({
  /** Where GGUF files live; null = <data dir>/models. */
  models_dir: z
    .string()
    .min(1, 'Enter a folder, or leave it empty for the default')
    .max(4096, 'That folder path is too long')
    .refine(
      isFullPath,
      'Enter the folder’s full path, such as ~/Quire models or /Volumes/Models (a bare name has no place to be)',
    )
    .nullable(),
  /** Memory the resident local models may use, in MB; null = derived from the machine's memory. */
  memory_budget_mb: z
    .number({ error: 'Memory for local models must be a whole number of MB' })
    .int('Memory for local models must be a whole number of MB')
    .min(256, 'Memory for local models must be at least 256 MB')
    .max(1_048_576, 'Memory for local models must be at most 1,048,576 MB (1 TB)')
    .nullable(),
  /** Unload a resident model after this many idle minutes (0 = never). */
  idle_unload_minutes: z
    .number({ error: 'Unload idle models after a whole number of minutes' })
    .int('Unload idle models after a whole number of minutes')
    .min(0, 'Unload idle models after 0 minutes (never) or more')
    .max(24 * 60, 'Unload idle models after at most 1,440 minutes (a day)'),
  /** CPU threads for generation; null = chosen for the machine. */
  threads: z
    .number({ error: 'Threads for local models must be a whole number' })
    .int('Threads for local models must be a whole number')
    .min(1, 'Use at least 1 thread')
    .max(256, 'Use at most 256 threads')
    .nullable(),
});

export const runSettingsSchema = z.object({
  /** Exact-match cache for deterministic requests (opt-in). */
  cache_enabled: z.boolean(),
  /** Per-call timeout for cloud providers, seconds. */
  timeout_s: z
    .number({ error: 'The timeout must be a whole number of seconds' })
    .int('The timeout must be a whole number of seconds')
    .min(1, 'The timeout must be at least 1 second')
    .max(3600, 'The timeout must be at most 3,600 seconds (an hour)'),
  /**
   * The shortest first-token deadline, seconds. The deadline grows with the input and the model's own recent pace;
   * for a local model it counts from the start of generation (not loading, not the queue).
   */
  first_token_floor_s: z
    .number({ error: 'The first-token wait must be a whole number of seconds' })
    .int('The first-token wait must be a whole number of seconds')
    .min(1, 'The first-token wait must be at least 1 second')
    .max(600, 'The first-token wait must be at most 600 seconds'),
});

/** The first-run setup's three choices: "free and private" (budget, nothing leaves the machine), balanced, best. */
export const SETUP_CHOICES = ['private', 'balanced', 'best'] as const;

export const setupSettingsSchema = z.object({
  /** The writer closed the first-run setup; it is not shown again. */
  done: z.boolean(),
  choice: z.enum(SETUP_CHOICES).nullable(),
});

export const settingsSchema = z.object({
  orchestrator: orchestratorSettingsSchema,
  tournament: tournamentSettingsSchema,
  local: localSettingsSchema,
  runs: runSettingsSchema,
  setup: setupSettingsSchema,
});
export type Settings = z.infer<typeof settingsSchema>;
export type SettingsSection = keyof Settings;

/** A partial update: any subset of fields of any section; unknown keys are refused. */
export const settingsPatchSchema = z.strictObject({
  orchestrator: orchestratorSettingsSchema.partial().strict().optional(),
  tournament: tournamentSettingsSchema.partial().strict().optional(),
  local: localSettingsSchema.partial().strict().optional(),
  runs: runSettingsSchema.partial().strict().optional(),
  setup: setupSettingsSchema.partial().strict().optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  orchestrator: {
    // On from the first launch: a pack is a writer's deliberate override, not where a new writer starts.
    enabled: true,
    quality_tier: 'balanced',
    monthly_budget: null,
    prefer_local: false,
    force_local: false,
    cost_tracking_enabled: true,
    active_pack: 'mixed',
  },
  tournament: {
    enabled: false,
    critical_tasks: ['continuity_check', 'theme_analysis', 'beat_structure'],
    num_models: 3,
    cost_cap_usd: 0.25,
  },
  local: { models_dir: null, memory_budget_mb: null, idle_unload_minutes: 15, threads: null },
  runs: { cache_enabled: false, timeout_s: 120, first_token_floor_s: 4 },
  setup: { done: false, choice: null },
};

export const settingsChannels = {
  'settings:get': channel<Settings>()(noInput),
  'settings:set': channel<Settings>()(settingsPatchSchema),
};
