// Host answers for manager tests: each builder gives a complete, contract-typed value that a test overrides where it
// matters, so a test reads as what is special about its case.
import {
  DEFAULT_SETTINGS,
  type CapabilityModel,
  type CatalogItem,
  type Decision,
  type DownloadInfo,
  type InstalledModel,
  type KeysStatus,
  type PackList,
  type ProviderEntry,
  type ProviderHealth,
  type RunQuote,
  type RunRecord,
  type RunSummary,
  type Settings,
  type SpendMonth,
  type TaskSpec,
  type Tournament,
  type TournamentFinding,
  type TournamentMember,
  type TournamentSummary,
} from '$contract';

/** A builder: complete defaults for an id, with a test's overrides on top. */
function builder<T>(defaults: (id: string) => T) {
  return (id: string, overrides: Partial<T> = {}): T => ({ ...defaults(id), ...overrides });
}

export function settings(change: (settings: Settings) => void = () => {}): Settings {
  const value = structuredClone(DEFAULT_SETTINGS);
  change(value);
  return value;
}

export const task = builder<TaskSpec>((id) => ({
  id,
  display_name: `Task ${id}`,
  description: `What ${id} does`,
  strength: 'prose_style',
  complexity: 5,
  typical_input_tokens: 1000,
  typical_output_tokens: 500,
  critical: false,
  may_leave_machine: true,
}));

const PRICING = { input_usd_per_mtok: 1, output_usd_per_mtok: 2 };
export const model = builder<CapabilityModel>((id) => ({
  id,
  display_name: `Model ${id}`,
  provider: 'openai',
  quality: 7,
  strengths: ['prose_style'],
  speed: 'fast',
  context_window: 128_000,
  pricing: PRICING,
  capabilities: { json_output: true, vision: false, streaming: true },
  available: true,
  unavailable_reason: null,
  effective_pricing: {
    ...PRICING,
    source: 'registry',
    source_detail: 'Quire registry',
    source_url: null,
    checked_at: null,
  },
}));

export function decision(task: string, modelId: string | null, overrides: Partial<Decision> = {}): Decision {
  return {
    task,
    mode: 'orchestrator',
    pack: null,
    model_id: modelId,
    reason: `${modelId} suits ${task}`,
    tier_requested: 'balanced',
    tier_used: modelId ? 'balanced' : null,
    local_only: false,
    complexity: 5,
    input_tokens: 100,
    max_output_tokens: 500,
    estimate_usd: 0.01,
    remaining_usd: null,
    candidates: [],
    fallback_chain: [],
    refusal: null,
    ...overrides,
  };
}

export const runRecord = builder<RunRecord>((runId) => ({
  run_id: runId,
  task: 'line_edit',
  status: 'completed',
  model_id: 'gpt',
  text: `Answer of ${runId}`,
  json: null,
  fallbacks: [],
  attempts: [],
  input_tokens: 100,
  output_tokens: 50,
  cost_usd: 0.001,
  latency_ms: 1200,
  cache_hit: false,
  reason: 'chosen',
  fallback_chain: [],
  error: null,
  rating: null,
  created_at: '2026-03-10T12:00:00.000Z',
  finished_at: '2026-03-10T12:00:01.200Z',
  answer: null,
  truncated: false,
  task_version: 1,
}));

export function runSummary(runId: string, overrides: Partial<RunSummary> = {}): RunSummary {
  const { text: _text, json: _json, attempts: _attempts, answer: _answer, ...summary } = runRecord(runId);
  return { ...summary, ...overrides };
}

export const spendMonth = builder<SpendMonth>((month) => ({
  month,
  budget_usd: 10,
  budget_recorded: true,
  total_usd: 1,
  settled_usd: 1,
  reserved_usd: 0,
  orphaned_usd: 0,
  overruns: [],
  daily: [],
  by_model: [],
  by_task: [],
  by_provider: [],
}));

export function health(provider: string, state: ProviderHealth['state'] = 'closed'): ProviderHealth {
  return {
    provider,
    state,
    failure_count: state === 'closed' ? 0 : 5,
    last_error: state === 'closed' ? null : { code: 'unavailable', message: 'down', at: '2026-03-10T12:00:00.000Z' },
    retry_at: null,
  };
}

export function keysStatus(configured: Record<string, boolean>): KeysStatus {
  return {
    keys: Object.entries(configured).map(([provider, isSet]) => ({
      provider,
      configured: isSet,
      last4: isSet ? 'abcd' : null,
      source: isSet ? 'file' : null,
      env_var: null,
    })),
    storage: 'file',
    storage_is_weak: false,
  };
}

export function provider(id: string, type: ProviderEntry['type'] = 'custom'): ProviderEntry {
  return {
    id,
    name: id,
    kind: 'openai-compatible',
    type,
    base_url: type === 'custom' ? `http://127.0.0.1:1234/${id}` : null,
    key_configured: false,
    key_last4: null,
    models: [
      {
        id: `${id}-model`,
        quality: 6,
        strengths: ['prose_style'],
        input_usd_per_mtok: 0,
        output_usd_per_mtok: 0,
      },
    ],
    health: health(id),
  };
}

/** A tournament's quote: each member's worst case, their sum, and each member's tokens. */
export function tournamentQuote(members: [string, string, number][]): Extract<RunQuote, { kind: 'tournament' }> {
  return {
    kind: 'tournament',
    members: members.map(([model_id, display_name, worst_case_usd]) => ({ model_id, display_name, worst_case_usd })),
    // Summed in micro-USD, as the ledger counts money.
    total_usd: members.reduce((sum, [, , usd]) => sum + Math.round(usd * 1e6), 0) / 1e6,
    input_tokens: 900,
    max_output_tokens: 1000,
  };
}

/** A one-model run's quote: at most `usd`, one retry, the run's own decision. */
export function singleQuote(usd: number, modelId = 'x/a'): Extract<RunQuote, { kind: 'single' }> {
  return {
    kind: 'single',
    at_most_usd: usd,
    retry: true,
    set_by: modelId,
    decision: decision('continuity_check', modelId),
  };
}

export function packList(active: string, names: string[] = [active]): PackList {
  return {
    active,
    packs: names.map((name) => ({
      name,
      display_name: `Pack ${name}`,
      description: '',
      builtin: false,
      tasks: { line_edit: 'gpt' },
    })),
  };
}

export const download = builder<DownloadInfo>((id) => ({
  id,
  name: `Download ${id}`,
  url: `https://example.org/${id}.gguf`,
  catalog_id: null,
  status: 'downloading',
  received: 0,
  total: 1000,
  error: null,
}));

export const installed = builder<InstalledModel>((id) => ({
  id,
  name: `Model ${id}`,
  file: `${id}.gguf`,
  size_bytes: 1000,
  sha256: '0'.repeat(64),
  verified_against: 'user',
  source: 'import',
  catalog_id: null,
  registry_model_id: null,
  architecture: 'llama',
  context_length: 4096,
  added_at: '2026-03-10T12:00:00.000Z',
  resident: false,
}));

export function catalogItem(id: string, budgetBytes = 8_000_000_000): CatalogItem {
  return {
    id,
    display_name: `Catalog ${id}`,
    registry_model_id: null,
    url: `https://example.org/${id}.gguf`,
    quantization: 'Q4_K_M',
    size_bytes: 1000,
    sha256: null,
    sha256_source: 'unverified_use_hf_lfs_oid',
    memory_estimate_mb: 1,
    context_length: 4096,
    download_url: `https://example.org/${id}.gguf`,
    installed: false,
    installed_as: null,
    download: null,
    fit: {
      verdict: 'fits',
      need_bytes: 1000,
      budget_bytes: budgetBytes,
      resident_bytes: 0,
      source: 'catalog',
      message: 'Fits',
    },
  };
}

export const member = builder<TournamentMember>((modelId) => ({
  model_id: modelId,
  display_name: `Model ${modelId}`,
  provider: 'openai',
  family: modelId,
  local: false,
  role: 'member',
  status: 'done',
  error: null,
  text: `Answer of ${modelId}`,
  finding_count: 1,
  worst_case_usd: 0.01,
  cost_usd: 0.005,
  input_tokens: 100,
  output_tokens: 50,
  duration_ms: 1000,
  quality: 7,
  history: 0.5,
}));

export const finding = builder<TournamentFinding>((id) => ({
  id,
  status: 'consensus',
  claim: `Claim ${id}`,
  evidence: [
    {
      quote: 'quote',
      location: { chapter: 1, chapter_title: 'One', paragraph: 2, label: 'One, paragraph 2' },
      found: true,
    },
  ],
  severity: 'medium',
  suggestion: null,
  supporters: ['a', 'b'],
  opposers: [],
  silent: [],
  statements: [],
  confidence: {
    value: 0.8,
    ingredients: {
      agreement: 1,
      opposition: 0,
      quality: 0.7,
      history: 0.5,
      verifier: null,
      support: 1,
      reliability: 0.62,
      base: 0.77,
    },
  },
  resolution: null,
}));

export const tournament = builder<Tournament>((id) => ({
  id,
  task: 'continuity_check',
  mode: 'tournament',
  kind: 'findings',
  status: 'done',
  created_at: '2026-03-10T12:00:00.000Z',
  finished_at: '2026-03-10T12:01:00.000Z',
  request: null,
  members: [member('a'), member('b')],
  findings: [finding('f1')],
  verification: null,
  judging: null,
  winner: null,
  confidence: null,
  notes: [],
  reserved_usd: 0.02,
  cost_usd: 0.01,
  wall_ms: 60_000,
  error: null,
}));

/** The list's line for tournament(id). */
export function tournamentSummary(id: string): TournamentSummary {
  const { task, mode, kind, status, created_at, members, cost_usd } = tournament(id);
  return {
    id,
    task,
    mode,
    kind,
    status,
    created_at,
    cost_usd,
    member_ids: members.map((entry) => entry.model_id),
    request_preview: null,
    counts: { consensus: 1, disputed: 0, contradicted: 0 },
    confidence: 0.8,
  };
}
