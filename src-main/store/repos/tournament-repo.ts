// Tournaments, their findings and per-model agreement records: rows <-> the contract's Tournament, here only.
import type {
  AgreementStatus,
  ConfidenceScore,
  FindingSeverity,
  FindingStatement,
  Tournament,
  TournamentEvidence,
  TournamentFinding,
  TournamentSummary,
} from '../../../src-preload/contract/tournaments';
import { requestPreview } from '../../../src-preload/contract/runs';
import type { Db } from '../database';
import { immediate } from '../write';
import { toMicros, toUsd } from '../money';

interface TournamentRow {
  id: string;
  task: string;
  mode: Tournament['mode'];
  kind: Tournament['kind'];
  status: Tournament['status'];
  input_text: string;
  detail_json: string;
  confidence: number | null;
  reserved_micros: number;
  cost_micros: number;
  wall_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  finished_at: string | null;
}

interface FindingRow {
  tournament_id: string;
  id: string;
  position: number;
  status: AgreementStatus;
  claim: string;
  evidence_quote: string;
  location: string | null;
  severity: FindingSeverity;
  quote_found: number;
  supporters_json: string;
  opposers_json: string;
  silent_json: string;
  statements_json: string;
  /** NULL on rows written before migration 012 (their one quote: evidence_quote). */
  evidence_json: string | null;
  suggestion: string | null;
  confidence: number;
  ingredients_json: string;
  resolution: 'accepted' | 'dismissed' | null;
  resolved_at: string | null;
}

/**
 * What detail_json holds: everything of a Tournament that has no column of its own. `request` is absent from rows
 * written before tournaments kept the writer's words: they read as asked with none.
 */
type Detail = Pick<Tournament, 'members' | 'verification' | 'judging' | 'winner' | 'notes'> & {
  confidence: ConfidenceScore | null;
  request?: string | null;
};

export class TournamentRepo {
  private readonly upsertRow;
  private readonly deleteFindings;
  private readonly insertFinding;
  private readonly selectOne;
  private readonly selectFindings;
  private readonly selectRecent;
  private readonly countFindings;
  private readonly setResolution;
  private readonly selectAgreement;
  private readonly bumpAgreement;

  /**
   * At start-up, after the ledger's orphans and the runs' interruptions are marked: a tournament left running by a
   * process that is gone is marked failed ("Quire stopped…"), its cost what the ledger counts under its id — settled
   * charges, and the holds of calls in flight, which may have been billed and stay counted (runs-repo's markInterrupted
   * for runs). One that still has a live hold or a running member run belongs to a live process and is left running.
   * Its holds are made together before any call, and each call stores its run before it is sent: a hold the crash left
   * with no run under its id (a repair never asked for, a verifier never reached) sent nothing, and is given back —
   * not a call, nothing spent — as a tournament that finishes gives back its unused holds.
   */
  markInterrupted(at: string): number {
    // Most starts have none: no write lock is taken for nothing (a read of the partial index, migration 018).
    if (!this.db.prepare(`SELECT 1 FROM tournaments WHERE status = 'running' LIMIT 1`).get()) return 0;
    const under = (column: string) => `${column} >= tournaments.id || '/' AND ${column} < tournaments.id || '0'`;
    const stopped = `tournaments.status = 'running'
             AND NOT EXISTS (SELECT 1 FROM ledger WHERE ${under('ledger.run_id')} AND state = 'reserved')
             AND NOT EXISTS (SELECT 1 FROM runs WHERE ${under('runs.id')} AND status = 'running')`;
    return immediate(this.db, () => {
      this.db
        .prepare(
          `UPDATE ledger SET state = 'released', charged_micros = 0, settled_at = ?,
             note = 'never sent: Quire stopped before this call began'
           WHERE state = 'orphaned'
             AND NOT EXISTS (SELECT 1 FROM runs WHERE runs.id = ledger.run_id)
             AND EXISTS (SELECT 1 FROM tournaments WHERE ${under('ledger.run_id')} AND ${stopped})`,
        )
        .run(at);
      return this.db
        .prepare(
          `UPDATE tournaments SET status = 'failed', error_code = 'internal',
             error_message = 'Quire stopped during this tournament (a crash or a quit); what its calls may have been billed ' ||
               'still counts. Run it again for its answers.',
             finished_at = ?,
             cost_micros = (
               SELECT COALESCE(SUM(CASE WHEN state IN ('reserved', 'orphaned') THEN reserved_micros
                                        ELSE COALESCE(charged_micros, 0) END), 0)
                 FROM ledger WHERE ${under('ledger.run_id')})
           WHERE ${stopped}`,
        )
        .run(at).changes;
    })();
  }

  constructor(private readonly db: Db) {
    this.upsertRow = db.prepare<[TournamentRow]>(
      `INSERT INTO tournaments (id, task, mode, kind, status, input_text, detail_json, confidence, reserved_micros,
         cost_micros, wall_ms, error_code, error_message, created_at, finished_at)
       VALUES (@id, @task, @mode, @kind, @status, @input_text, @detail_json, @confidence, @reserved_micros,
         @cost_micros, @wall_ms, @error_code, @error_message, @created_at, @finished_at)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, detail_json = excluded.detail_json,
         confidence = excluded.confidence, reserved_micros = excluded.reserved_micros, cost_micros = excluded.cost_micros,
         wall_ms = excluded.wall_ms, error_code = excluded.error_code, error_message = excluded.error_message,
         finished_at = excluded.finished_at`,
    );
    this.deleteFindings = db.prepare<[string]>('DELETE FROM tournament_findings WHERE tournament_id = ?');
    this.insertFinding = db.prepare<[FindingRow]>(
      `INSERT INTO tournament_findings (tournament_id, id, position, status, claim, evidence_quote, location, severity,
         quote_found, supporters_json, opposers_json, silent_json, statements_json, evidence_json, suggestion,
         confidence, ingredients_json, resolution, resolved_at)
       VALUES (@tournament_id, @id, @position, @status, @claim, @evidence_quote, @location, @severity, @quote_found,
         @supporters_json, @opposers_json, @silent_json, @statements_json, @evidence_json, @suggestion,
         @confidence, @ingredients_json, @resolution, @resolved_at)`,
    );
    this.selectOne = db.prepare<[string], TournamentRow>('SELECT * FROM tournaments WHERE id = ?');
    this.selectFindings = db.prepare<[string], FindingRow>(
      'SELECT * FROM tournament_findings WHERE tournament_id = ? ORDER BY position',
    );
    this.selectRecent = db.prepare<{ task: string | null; before: string | null; limit: number }, TournamentRow>(
      `SELECT * FROM tournaments WHERE (@task IS NULL OR task = @task)
         AND (@before IS NULL OR (created_at, rowid) < (SELECT created_at, rowid FROM tournaments WHERE id = @before))
       ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
    );
    this.countFindings = db.prepare<[string], { status: AgreementStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM tournament_findings WHERE tournament_id = ? GROUP BY status',
    );
    this.setResolution = db.prepare<[string | null, string | null, string, string]>(
      'UPDATE tournament_findings SET resolution = ?, resolved_at = ? WHERE tournament_id = ? AND id = ?',
    );
    this.selectAgreement = db.prepare<[string, string], { agreed: number; total: number }>(
      'SELECT agreed, total FROM model_agreement WHERE model_id = ? AND task = ?',
    );
    this.bumpAgreement = db.prepare<[string, string, number, string]>(
      `INSERT INTO model_agreement (model_id, task, agreed, total, updated_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT(model_id, task) DO UPDATE SET agreed = agreed + excluded.agreed, total = total + 1,
         updated_at = excluded.updated_at`,
    );
  }

  /** Writes the tournament and replaces its findings, in one transaction. */
  save(t: Tournament, input: string): void {
    const detail: Detail = {
      members: t.members,
      verification: t.verification,
      judging: t.judging,
      winner: t.winner,
      notes: t.notes,
      confidence: t.confidence,
      request: t.request,
    };
    immediate(this.db, () => {
      this.upsertRow.run({
        id: t.id,
        task: t.task,
        mode: t.mode,
        kind: t.kind,
        status: t.status,
        input_text: input,
        detail_json: JSON.stringify(detail),
        confidence: t.confidence?.value ?? null,
        reserved_micros: toMicros(t.reserved_usd),
        cost_micros: toMicros(t.cost_usd),
        wall_ms: t.wall_ms,
        error_code: t.error?.code ?? null,
        error_message: t.error?.message ?? null,
        created_at: t.created_at,
        finished_at: t.finished_at,
      });
      this.deleteFindings.run(t.id);
      t.findings.forEach((f, position) =>
        this.insertFinding.run({
          tournament_id: t.id,
          id: f.id,
          position,
          status: f.status,
          claim: f.claim,
          // The 005 columns hold the first quote (evidence_quote is NOT NULL); evidence_json is what is read back.
          evidence_quote: f.evidence[0]?.quote ?? '',
          location: f.evidence[0]?.location?.label ?? null,
          severity: f.severity,
          quote_found: f.evidence.every((e) => e.found) ? 1 : 0,
          supporters_json: JSON.stringify(f.supporters),
          opposers_json: JSON.stringify(f.opposers),
          silent_json: JSON.stringify(f.silent),
          statements_json: JSON.stringify(f.statements),
          evidence_json: JSON.stringify(f.evidence),
          suggestion: f.suggestion,
          confidence: f.confidence.value,
          ingredients_json: JSON.stringify(f.confidence.ingredients),
          resolution: f.resolution,
          resolved_at: null,
        }),
      );
    })();
  }

  get(id: string): Tournament | undefined {
    const row = this.selectOne.get(id);
    return row ? this.toTournament(row) : undefined;
  }

  /** Newest first; `before`: the page after that tournament. */
  list(options: { task?: string; before?: string; limit: number }): TournamentSummary[] {
    const rows = this.selectRecent.all({
      task: options.task ?? null,
      before: options.before ?? null,
      limit: options.limit,
    });
    return rows.map((row) => {
      const detail = JSON.parse(row.detail_json) as Detail;
      const counts: Record<AgreementStatus, number> = { consensus: 0, disputed: 0, contradicted: 0 };
      for (const c of this.countFindings.all(row.id)) counts[c.status] = c.n;
      return {
        ...toHead(row),
        member_ids: detail.members.map((m) => m.model_id),
        request_preview: requestPreview(detail.request),
        counts,
        confidence: row.confidence,
        cost_usd: toUsd(row.cost_micros),
      };
    });
  }

  /**
   * Records the writer's verdict on a finding and, for each model that took a side, whether the writer agreed with it
   * — all in one transaction, so a verdict is never counted twice or half.
   */
  resolve(
    tournamentId: string,
    findingId: string,
    resolution: 'accepted' | 'dismissed',
    sides: { model_id: string; agreed: boolean }[],
    task: string,
    at: Date,
  ): void {
    const when = at.toISOString();
    immediate(this.db, () => {
      this.setResolution.run(resolution, when, tournamentId, findingId);
      for (const side of sides) this.bumpAgreement.run(side.model_id, task, side.agreed ? 1 : 0, when);
    })();
  }

  agreement(modelId: string, task: string): { agreed: number; total: number } {
    return this.selectAgreement.get(modelId, task) ?? { agreed: 0, total: 0 };
  }

  private toTournament(row: TournamentRow): Tournament {
    const detail = JSON.parse(row.detail_json) as Detail;
    return {
      ...toHead(row),
      finished_at: row.finished_at,
      request: detail.request ?? null,
      members: detail.members,
      findings: this.selectFindings.all(row.id).map(toFinding),
      verification: detail.verification,
      judging: detail.judging,
      winner: detail.winner,
      confidence: detail.confidence,
      notes: detail.notes,
      reserved_usd: toUsd(row.reserved_micros),
      cost_usd: toUsd(row.cost_micros),
      wall_ms: row.wall_ms,
      error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    };
  }
}

/** The columns a tournament and its list summary share. */
function toHead(row: TournamentRow): Pick<Tournament, 'id' | 'task' | 'mode' | 'kind' | 'status' | 'created_at'> {
  return {
    id: row.id,
    task: row.task,
    mode: row.mode,
    kind: row.kind,
    status: row.status,
    created_at: row.created_at,
  };
}

/**
 * A row written before migration 012 holds one quote, whether it was in the text, and the model's own words for its
 * place (never shown as Quire's): it reads as a one-quote evidence list without a place.
 */
function legacyEvidence(quote: string, found: boolean): TournamentEvidence[] {
  return [{ quote, location: null, found }];
}

/** A statement as stored: the contract's, or (before migration 012) one quote with the model's place and a flag. */
type StoredStatement =
  | FindingStatement
  | { model_id: string; claim: string; evidence_quote: string; severity: FindingSeverity; quote_found: boolean };

function toFinding(row: FindingRow): TournamentFinding {
  const statements = (JSON.parse(row.statements_json) as StoredStatement[]).map((s): FindingStatement =>
    'evidence' in s
      ? s
      : {
          model_id: s.model_id,
          claim: s.claim,
          evidence: legacyEvidence(s.evidence_quote, s.quote_found),
          severity: s.severity,
          suggestion: null,
        },
  );
  return {
    id: row.id,
    status: row.status,
    claim: row.claim,
    evidence:
      row.evidence_json === null
        ? legacyEvidence(row.evidence_quote, row.quote_found === 1)
        : (JSON.parse(row.evidence_json) as TournamentEvidence[]),
    severity: row.severity,
    suggestion: row.suggestion,
    supporters: JSON.parse(row.supporters_json) as string[],
    opposers: JSON.parse(row.opposers_json) as string[],
    silent: JSON.parse(row.silent_json) as string[],
    statements,
    confidence: {
      value: row.confidence,
      ingredients: JSON.parse(row.ingredients_json) as ConfidenceScore['ingredients'],
    },
    resolution: row.resolution,
  };
}
