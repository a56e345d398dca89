// SQLite rows <-> multi-part jobs: the job with its input and plan, and each finished part (findings, story after it,
// usage). A part row is written in one statement when the part finishes, so a crash never loses a finished part.
//
// That write commits to the WAL without its own fsync (synchronous = NORMAL for that one statement): a crash or a
// kill of Quire keeps it (the WAL is in the file system's cache, and SQLite replays it on the next open), and the
// next FULL commit — the next part's ledger reservation, made before its model is called — syncs it to disk with
// everything before it. Only a power cut between a part's end and the next commit could lose it, and then that part
// runs again (its charge, committed with FULL, is kept either way). An fsync per part was 2–4 % of a job's time.
import type { Db } from '../store/database';
import { preparedOnce } from '../store/repos/prepared';
import type { JobQuote } from './job-plan';
import type { Part } from './splitter';
import type { Block } from './structure';
import type { JobFinding, JobStatus, PartUsage, StorySoFar } from './job-types';

export interface StoredPlan {
  partTokens: number;
  storyTokens: number;
  parts: Part[];
  blocks: Block[];
  /** The steps after the parts as planned with them; absent in a job stored by a Quire before they were kept. */
  combine?: StoredCombine;
}

/**
 * A chapter summary's combine steps (app/summary-combine.ts), kept with the job: a resumed job follows them, as its
 * finished steps' answers are taken by position. Empty steps for any other job.
 */
export interface StoredCombine {
  /** How many summaries a step reads at most; null: none is combined (the pieces are joined). */
  fanIn: number | null;
  /** The answer each summary was asked with at most, which a step's fan-in allows for. */
  maxOutputTokens: number;
  steps: { chapter: number; title: string; parts: number[]; previous: boolean }[];
}

export interface JobRecord {
  id: string;
  document_id: string | null;
  task: string;
  model_id: string;
  status: JobStatus;
  input_text: string;
  plan: StoredPlan;
  quote: JobQuote;
  error_message: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface FinishedPart {
  index: number;
  findings: JobFinding[];
  /** A task that is not findings: the part's answer (PartResult.answer). */
  answer?: unknown;
  /** What the writer should know of its answer (PartResult.notices); absent when nothing. */
  notices?: string[];
  story: StorySoFar;
  usage: PartUsage;
  wall_ms: number;
  finished_at: string;
}

interface JobRow extends Omit<JobRecord, 'plan' | 'quote'> {
  plan_json: string;
  quote_json: string;
}

interface PartRow {
  part_index: number;
  findings_json: string;
  story_json: string;
  input_tokens: number | null;
  output_tokens: number | null;
  wall_ms: number;
  finished_at: string;
}

export class JobsRepo {
  private readonly sql;

  constructor(private readonly db: Db) {
    this.sql = preparedOnce(db);
  }

  insert(job: Omit<JobRecord, 'finished_at' | 'error_message' | 'status'>): void {
    this.sql(
      `INSERT INTO manuscript_jobs (id, document_id, task, model_id, status, input_text, plan_json, quote_json, created_at)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
    ).run(
      job.id,
      job.document_id,
      job.task,
      job.model_id,
      job.input_text,
      JSON.stringify(job.plan),
      JSON.stringify(job.quote),
      job.created_at,
    );
  }

  get(id: string): JobRecord | undefined {
    const row = this.sql<JobRow>(
      `SELECT id, document_id, task, model_id, status, input_text, plan_json, quote_json, error_message, created_at,
       finished_at FROM manuscript_jobs WHERE id = ?`,
    ).get(id);
    if (!row) return undefined;
    const { plan_json, quote_json, ...rest } = row;
    return { ...rest, plan: JSON.parse(plan_json) as StoredPlan, quote: JSON.parse(quote_json) as JobQuote };
  }

  /** How many of a job's parts are finished and kept. */
  partsDone(jobId: string): number {
    return this.sql<number>('SELECT COUNT(*) FROM manuscript_job_parts WHERE job_id = ?').pluck().get(jobId) ?? 0;
  }

  /** Jobs a crash left running (to resume or to mark failed). */
  unfinished(): string[] {
    return this.sql<{ id: string }>(`SELECT id FROM manuscript_jobs WHERE status = 'running' ORDER BY created_at`)
      .all()
      .map((r) => r.id);
  }

  finishPart(jobId: string, part: FinishedPart): void {
    const synchronous = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.insertPart(jobId, part);
    } finally {
      this.db.pragma(`synchronous = ${synchronous}`);
    }
  }

  private insertPart(jobId: string, part: FinishedPart): void {
    this.sql(
      `INSERT INTO manuscript_job_parts
       (job_id, part_index, findings_json, story_json, input_tokens, output_tokens, wall_ms, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      jobId,
      part.index,
      // A part with an answer of its own, or notices, keeps them beside its findings in the same column:
      // {findings, answer, notices}.
      JSON.stringify(
        part.answer === undefined && part.notices === undefined
          ? part.findings
          : { findings: part.findings, answer: part.answer, ...(part.notices ? { notices: part.notices } : {}) },
      ),
      JSON.stringify(part.story),
      part.usage.inputTokens ?? null,
      part.usage.outputTokens ?? null,
      Math.max(0, Math.round(part.wall_ms)),
      part.finished_at,
    );
  }

  parts(jobId: string): FinishedPart[] {
    return this.sql<PartRow>(
      `SELECT part_index, findings_json, story_json, input_tokens, output_tokens, wall_ms, finished_at
       FROM manuscript_job_parts WHERE job_id = ? ORDER BY part_index`,
    )
      .all(jobId)
      .map((r) => ({
        index: r.part_index,
        ...readFindings(r.findings_json),
        story: JSON.parse(r.story_json) as StorySoFar,
        usage: { inputTokens: r.input_tokens ?? undefined, outputTokens: r.output_tokens ?? undefined },
        wall_ms: r.wall_ms,
        finished_at: r.finished_at,
      }));
  }

  setStatus(id: string, status: JobStatus, finishedAt: string | null, error: string | null = null): void {
    this.sql(`UPDATE manuscript_jobs SET status = ?, finished_at = ?, error_message = ? WHERE id = ?`).run(
      status,
      finishedAt,
      error,
      id,
    );
  }
}

function readFindings(json: string): { findings: JobFinding[]; answer?: unknown; notices?: string[] } {
  const value = JSON.parse(json) as JobFinding[] | { findings: JobFinding[]; answer?: unknown; notices?: string[] };
  if (Array.isArray(value)) return { findings: value };
  return { findings: value.findings, answer: value.answer, ...(value.notices ? { notices: value.notices } : {}) };
}
