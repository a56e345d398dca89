import type { ErrorInfo, FixIn } from '../../../src-preload/contract';
import type { ConfidenceScore } from '../../../src-preload/contract/tournaments';
import {
  REQUEST_PREVIEW_CHARS,
  requestPreview,
  type RunAttempt,
  type RunRecord,
  type RunStatus,
  type RunSummary,
} from '../../../src-preload/contract/runs';
import type { RunAnswer } from '../../../src-preload/contract/tasks';
import type { Db } from '../database';
import { isOwnerAlive, ownerOf, type Owner } from '../owner';
import { immediate } from '../write';
import { preparedOnce } from './prepared';
import { toUsd } from '../money';

interface RunRow {
  id: string;
  task: string;
  status: RunStatus;
  model_id: string | null;
  request_json: string;
  output_text: string | null;
  output_json: string | null;
  decision_json: string | null;
  attempts_json: string;
  fallbacks: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_micros: number;
  latency_ms: number | null;
  cache_hit: number;
  cache_key: string | null;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  error_advised: number | null;
  error_fix_in: string | null;
  rating: number | null;
  created_at: string;
  finished_at: string | null;
  answer_json: string | null;
  truncated: number;
  task_version: number | null;
  stop_sequence: string | null;
  /** The app that sent the run through the gateway (gateway_runs.client), when one did. */
  client?: string | null;
  /** The name its model was known by once removed (model_names, migration 028). */
  model_name?: string | null;
}

export interface RunWrite {
  id: string;
  task: string;
  status: RunStatus;
  model_id: string | null;
  request: unknown;
  text: string | null;
  json: unknown;
  reason: string | null;
  fallback_chain: string[];
  attempts: RunAttempt[];
  fallbacks: string[];
  input_tokens: number | null;
  output_tokens: number | null;
  cost_micros: number;
  latency_ms: number | null;
  cache_hit: boolean;
  cache_key: string | null;
  error: ErrorInfo | null;
  created_at: string;
  finished_at: string | null;
  answer: RunAnswer | null;
  truncated: boolean;
  task_version: number | null;
  /** The stop sequence a completed run's answer ended at, where the model said which. */
  stop_sequence?: string | null;
  /** A completed run's confidence and whether it is a low-confidence fallback (kept in decision_json). */
  confidence?: ConfidenceScore | null;
  low_confidence_fallback?: boolean;
}

type StatsRow = ReturnType<RunsRepo['stats']>;

/** runs:list's filter (see its schema); a tournament's calls are the runs `<tournament id>/<role>/<model>`. */
export interface RunListFilter {
  limit: number;
  task?: string | undefined;
  status?: RunStatus | undefined;
  tournament_calls?: boolean | undefined;
  before?: string | undefined;
}

export interface ModelUsageRow {
  model_id: string;
  runs: number;
  cost_micros: number;
  input_tokens: number;
  output_tokens: number;
}

/** Runs, one row each, failed ones included; rows mapped to RunRecord here only. */
export class RunsRepo {
  private readonly q: ReturnType<typeof preparedOnce>;
  private readonly owner: Owner;
  /** The columns a history row is made of: every one but the request, answer and attempts (see {@link list}). */
  private readonly summaryColumns: string;

  /** `isAlive`: whether the process that owns a running run still runs (default: pid + start token). */
  constructor(
    private readonly db: Db,
    private readonly isAlive: (owner: { pid: number | null; token: string | null }) => boolean = isOwnerAlive,
  ) {
    this.q = preparedOnce(db);
    this.owner = ownerOf(db);
    this.summaryColumns = (db.pragma('table_info(runs)') as { name: string }[])
      .filter(({ name }) => !(name in NOT_IN_A_SUMMARY))
      .map(({ name }) => `r.${name}`)
      .join(', ');
  }

  /** Writes that belong in the transaction that first stores a run (see {@link withFirstRow}), by run id. */
  private readonly firstRows = new Map<string, () => void>();

  /**
   * `write` runs inside the transaction that first saves run `runId` (its reservation, or its end when it never reached
   * a model), so it needs no commit of its own. Returns a disposer for when the run is never stored.
   */
  withFirstRow(runId: string, write: () => void): () => void {
    this.firstRows.set(runId, write);
    return () => {
      if (this.firstRows.get(runId) === write) this.firstRows.delete(runId);
    };
  }

  save(run: RunWrite): void {
    const first = this.firstRows.get(run.id);
    if (first) {
      this.firstRows.delete(run.id);
      first();
    }
    this.q(
      `INSERT INTO runs (id, task, status, model_id, request_json, output_text, output_json, decision_json, attempts_json,
           fallbacks, input_tokens, output_tokens, cost_micros, latency_ms, cache_hit, cache_key, error_code,
           error_message, error_retryable, error_advised, error_fix_in, created_at, finished_at, owner_pid, owner_token,
           answer_json, truncated, task_version, stop_sequence)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, model_id = excluded.model_id,
           output_text = excluded.output_text, output_json = excluded.output_json, decision_json = excluded.decision_json,
           attempts_json = excluded.attempts_json, fallbacks = excluded.fallbacks, input_tokens = excluded.input_tokens,
           output_tokens = excluded.output_tokens, cost_micros = excluded.cost_micros, latency_ms = excluded.latency_ms,
           cache_hit = excluded.cache_hit, cache_key = excluded.cache_key, error_code = excluded.error_code,
           error_message = excluded.error_message, error_retryable = excluded.error_retryable,
           error_advised = excluded.error_advised, error_fix_in = excluded.error_fix_in, finished_at = excluded.finished_at,
           answer_json = excluded.answer_json, truncated = excluded.truncated, task_version = excluded.task_version,
           stop_sequence = excluded.stop_sequence`,
    ).run(
      run.id,
      run.task,
      run.status,
      run.model_id,
      JSON.stringify(run.request),
      run.text,
      run.json === undefined ? null : JSON.stringify(run.json),
      JSON.stringify({
        reason: run.reason,
        fallback_chain: run.fallback_chain,
        fallbacks: run.fallbacks,
        confidence: run.confidence ?? null,
        low_confidence_fallback: run.low_confidence_fallback === true,
      }),
      JSON.stringify(run.attempts),
      run.fallbacks.length,
      run.input_tokens,
      run.output_tokens,
      run.cost_micros,
      run.latency_ms,
      run.cache_hit ? 1 : 0,
      run.cache_key,
      run.error?.code ?? null,
      run.error?.message ?? null,
      run.error ? (run.error.retryable ? 1 : 0) : null,
      run.error?.advised ? 1 : null,
      run.error?.fix_in ?? null,
      run.created_at,
      run.finished_at,
      this.owner.pid,
      this.owner.token,
      run.answer === null ? null : JSON.stringify(run.answer),
      run.truncated ? 1 : 0,
      run.task_version,
      run.stop_sequence ?? null,
    );
  }

  /**
   * Two lookups by key rather than the history's join: every run started under a caller's id (each gateway call, each
   * Workbench run) asks for its id first, and SQLite ran the join in 20–40 µs against 1–5 µs for the two.
   */
  get(id: string): RunRecord | undefined {
    const row = this.q<RunRow & { writer_request: unknown; manuscript_id: unknown; manuscript_offset: unknown }>(
      `SELECT *, json_extract(request_json, '$.request') AS writer_request,
         json_extract(request_json, '$.manuscript.id') AS manuscript_id,
         json_extract(request_json, '$.manuscript.offset') AS manuscript_offset
       FROM runs WHERE id = ?`,
    ).get(id);
    if (!row) return undefined;
    row.client = this.q<string>('SELECT client FROM gateway_runs WHERE run_id = ?').pluck().get(id) ?? null;
    row.model_name = row.model_id ? (this.q<string>(MODEL_NAME).pluck().get(row.model_id) ?? null) : null;
    const manuscript =
      typeof row.manuscript_id === 'string' && typeof row.manuscript_offset === 'number'
        ? {
            id: row.manuscript_id,
            title: this.q<string>('SELECT title FROM documents WHERE id = ?').pluck().get(row.manuscript_id) ?? null,
            offset: row.manuscript_offset,
          }
        : null;
    return {
      ...toRecord(row),
      request: typeof row.writer_request === 'string' ? row.writer_request : null,
      manuscript,
    };
  }

  /** A stored run's status alone (its row, with a whole manuscript's request, is not read); undefined when unknown. */
  status(id: string): RunStatus | undefined {
    return this.q<RunStatus>('SELECT status FROM runs WHERE id = ?').pluck().get(id);
  }

  /** Whether a run with this id is stored (its row is not read). */
  has(id: string): boolean {
    return this.q<number>('SELECT 1 FROM runs WHERE id = ?').pluck().get(id) !== undefined;
  }

  /** The request a run was started with, as stored (undefined for an unknown run). */
  request(id: string): unknown {
    const json = this.q<string>('SELECT request_json FROM runs WHERE id = ?').pluck().get(id);
    return json === undefined ? undefined : (JSON.parse(json) as unknown);
  }

  /**
   * A run split into parts is one run: its parts' own calls (`<run id>/part/<n>`) are stored for the ledger and the
   * record, but the history and the stats count the run, whose row carries their summed cost and tokens.
   */
  list(filter: RunListFilter): RunSummary[] {
    // One character past the preview's: whether the request goes on.
    // A run on a whole manuscript stores the text with its request: a page of 50 would read and copy every one.
    const rows = this.q<Omit<RunRow, keyof typeof NOT_IN_A_SUMMARY> & { request_start: unknown; words_kept: number }>(
      `SELECT ${this.summaryColumns}, g.client AS client, n.display_name AS model_name,
         substr(json_extract(r.request_json, '$.request'), 1, ${REQUEST_PREVIEW_CHARS + 1}) AS request_start,
         (r.status <> 'completed' AND r.output_text IS NOT NULL AND r.output_text <> '') AS words_kept
       FROM runs r ${BY_APP}
         LEFT JOIN model_names n ON n.model_id = r.model_id
         WHERE (@task IS NULL OR r.task = @task) AND (@status IS NULL OR r.status = @status)
         AND instr(r.id, '/part/') = 0 AND (@calls = 1 OR instr(r.id, '/') = 0)
         AND (@before IS NULL OR (r.created_at, r.rowid) < (SELECT created_at, rowid FROM runs WHERE id = @before))
         ORDER BY r.created_at DESC, r.rowid DESC LIMIT @limit`,
    ).all({
      task: filter.task ?? null,
      status: filter.status ?? null,
      calls: filter.tournament_calls === false ? 0 : 1,
      before: filter.before ?? null,
      limit: filter.limit,
    });
    return rows.map((row) => {
      const {
        text: _text,
        json: _json,
        attempts: _attempts,
        answer: _answer,
        ...summary
      } = toRecord({ ...row, ...NOT_IN_A_SUMMARY });
      return {
        ...summary,
        request_preview: requestPreview(typeof row.request_start === 'string' ? row.request_start : null),
        ...(row.words_kept === 1 ? { words_kept: true } : {}),
      };
    });
  }

  /** The latest completed, non-cached-from-nothing answer for an exact request key. */
  cached(key: string): RunRecord | undefined {
    const row = this.q<RunRow>(
      `SELECT * FROM runs WHERE cache_key = ? AND status = 'completed' ORDER BY created_at DESC LIMIT 1`,
    ).get(key);
    return row ? toRecord(row) : undefined;
  }

  /** The attempts of the latest finished runs, newest first (first-token deadlines learn from them at start-up). */
  recentAttempts(limit: number): RunAttempt[][] {
    return this.q<{ attempts_json: string }>(
      `SELECT attempts_json FROM runs WHERE status IN ('completed', 'failed') ORDER BY created_at DESC, rowid DESC
         LIMIT ?`,
    )
      .all(limit)
      .map((row) => JSON.parse(row.attempts_json) as RunAttempt[]);
  }

  rate(id: string, rating: number): boolean {
    return this.q('UPDATE runs SET rating = ? WHERE id = ?').run(rating, id).changes === 1;
  }

  /**
   * Runs left 'running' by a process that is gone become interrupted at start-up (their reservations stay counted as
   * orphans); a live process's (another host, the CLI) are left running. Reads only running rows (a partial index).
   */
  markInterrupted(at: string): number {
    return immediate(this.db, () => {
      const owners = this.q<{ pid: number | null; token: string | null }>(
        `SELECT DISTINCT owner_pid AS pid, owner_token AS token FROM runs WHERE status = 'running'`,
      ).all();
      let changed = 0;
      for (const owner of owners) {
        if (this.isAlive(owner)) continue;
        // Its cost is what the ledger counts for its calls (and its parts', `<id>/part/…`): a charge settled before the
        // crash, and the hold of the call in flight, which stays counted. It was $0 while the ledger counted the hold.
        changed += this.q(
          `UPDATE runs SET status = 'interrupted', error_code = 'internal',
             error_message = 'Quire stopped during this run (a crash or a quit); what its calls may have been billed ' ||
               'still counts. Run it again for its answer.',
             error_retryable = 1, error_advised = 1,
             finished_at = ?,
             cost_micros = (
               SELECT COALESCE(SUM(CASE WHEN state IN ('reserved', 'orphaned') THEN reserved_micros
                                        ELSE COALESCE(charged_micros, 0) END), 0)
                 FROM ledger
                WHERE ledger.run_id = runs.id
                   OR (ledger.run_id >= runs.id || '/part/' AND ledger.run_id < runs.id || '/part0'))
           WHERE status = 'running' AND owner_pid IS ? AND owner_token IS ?`,
        ).run(at, owner.pid, owner.token).changes;
      }
      return changed;
    })();
  }

  stats(): {
    total: number;
    completed: number;
    failed: number;
    cancelled: number;
    avg_latency_ms: number | null;
    fallbacks: number;
    cache_hits: number;
    cacheable: number;
    cost_micros: number;
    avg_confidence: number | null;
    low_confidence_fallbacks: number;
    conflicts: number;
  } {
    return this.q<StatsRow>(
      `SELECT COUNT(*) AS total,
           COALESCE(SUM(status = 'completed'), 0) AS completed,
           COALESCE(SUM(status = 'failed'), 0) AS failed,
           COALESCE(SUM(status = 'cancelled'), 0) AS cancelled,
           AVG(CASE WHEN status = 'completed' THEN latency_ms END) AS avg_latency_ms,
           COALESCE(SUM(fallbacks > 0), 0) AS fallbacks,
           COALESCE(SUM(cache_hit), 0) AS cache_hits,
           COALESCE(SUM(cache_key IS NOT NULL), 0) AS cacheable,
           COALESCE(SUM(cost_micros), 0) AS cost_micros,
           AVG(CASE WHEN status = 'completed' THEN json_extract(decision_json, '$.confidence.value') END)
             AS avg_confidence,
           COALESCE(SUM(status = 'completed'
             AND json_extract(decision_json, '$.low_confidence_fallback') = 1), 0) AS low_confidence_fallbacks,
           (SELECT COUNT(*) FROM tournament_findings WHERE status = 'contradicted') AS conflicts
         FROM runs WHERE instr(id, '/part/') = 0`,
    ).get()!;
  }

  modelUsage(): ModelUsageRow[] {
    return this.q<ModelUsageRow>(
      `SELECT model_id, COUNT(*) AS runs, SUM(cost_micros) AS cost_micros,
           COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens
         FROM runs WHERE model_id IS NOT NULL AND instr(id, '/part/') = 0 GROUP BY model_id ORDER BY runs DESC`,
    ).all();
  }
}

/** Which app a run came from, for runs that came through the gateway (gateway_runs: one row per such run). */
const BY_APP = 'LEFT JOIN gateway_runs g ON g.run_id = r.id';
/** A run's large columns, left out of a history row (RunSummary has none of them), with what the row reads instead. */
const NOT_IN_A_SUMMARY = {
  request_json: '{}',
  output_text: null,
  output_json: null,
  attempts_json: '[]',
  answer_json: null,
} satisfies Partial<RunRow>;
const MODEL_NAME = 'SELECT display_name FROM model_names WHERE model_id = ?';

function toRecord(row: RunRow): RunRecord {
  const decision = row.decision_json
    ? (JSON.parse(row.decision_json) as {
        reason: string | null;
        fallback_chain: string[];
        fallbacks: string[];
        confidence?: ConfidenceScore | null;
        low_confidence_fallback?: boolean;
      })
    : { reason: null, fallback_chain: [], fallbacks: [] };
  return {
    run_id: row.id,
    task: row.task,
    status: row.status,
    model_id: row.model_id,
    text: row.output_text,
    json: row.output_json === null ? null : (JSON.parse(row.output_json) as unknown),
    fallbacks: decision.fallbacks,
    attempts: JSON.parse(row.attempts_json) as RunAttempt[],
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cost_usd: toUsd(row.cost_micros),
    latency_ms: row.latency_ms,
    cache_hit: row.cache_hit === 1,
    reason: decision.reason,
    fallback_chain: decision.fallback_chain,
    error: row.error_code ? errorOf(row) : null,
    rating: row.rating,
    created_at: row.created_at,
    finished_at: row.finished_at,
    answer: row.answer_json === null ? null : (JSON.parse(row.answer_json) as RunAnswer),
    truncated: row.truncated === 1,
    task_version: row.task_version,
    stop_sequence: row.stop_sequence,
    confidence: decision.confidence?.value ?? null,
    confidence_ingredients: decision.confidence?.ingredients ?? null,
    low_confidence_fallback: decision.low_confidence_fallback === true,
    client: row.client ?? null,
    model_name: row.model_name ?? null,
  };
}

/** A stored run's error as it was first told: its code and words, and what its advice said besides (see migration 023). */
function errorOf(row: RunRow): ErrorInfo {
  return {
    code: row.error_code as ErrorInfo['code'],
    message: row.error_message ?? '',
    retryable: row.error_retryable === 1,
    ...(row.error_advised === 1 ? { advised: true as const } : {}),
    ...(row.error_fix_in ? { fix_in: row.error_fix_in as FixIn } : {}),
  };
}
