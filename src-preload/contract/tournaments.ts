// Tournaments: several models answer one critical task; their findings are matched and marked consensus, disputed or
// contradicted, each with its quotes, who said it, and a confidence shown with its ingredients. Verification mode:
// one model answers and a cheaper one reviews it.
import { z } from 'zod';
import { channel } from './define';
import { manuscriptRefSchema } from './manuscripts';

/** Each call of a tournament is stored as the run `<tournament id>/<role>/<model id>`. */
export function memberRunId(tournamentId: string, member: { role: string; model_id: string }): string {
  return `${tournamentId}/${member.role}/${member.model_id}`;
}

/** The tournament a run was a call of (see {@link memberRunId}); null for a run of its own. */
export function tournamentOfRun(runId: string): string | null {
  const slash = runId.indexOf('/');
  return slash > 0 ? runId.slice(0, slash) : null;
}
import { qualityTierSchema } from './settings';
import type { TextLocation } from './tasks';

const modelId = z.string().min(1).max(200);
const tournamentId = z.string().min(1).max(100);

export const tournamentStartSchema = z.strictObject({
  task: z.string().min(1).max(100),
  /** The manuscript text (or request) every member receives. */
  input: z.string().min(1).max(2_000_000),
  /** The writer's own words for the task (a question, what to focus on): every member, verifier and judge reads them. */
  request: z.string().min(1).max(20_000).optional(),
  /** Exactly these members (2–5); otherwise the N best distinct candidates are chosen. */
  models: z.array(modelId).min(2).max(5).optional(),
  /** Members wanted (2–5); defaults to settings.tournament.num_models. */
  n: z.number().int().min(2).max(5).optional(),
  /** The quality tier members are chosen within; defaults to the orchestrator's. */
  tier: qualityTierSchema.optional(),
  /** verification: the best candidate answers, a cheaper one of another family reviews (seed 001). */
  mode: z.enum(['tournament', 'verification']).optional(),
  /** Output tokens each member may produce; defaults to the task's typical output. */
  max_output_tokens: z.number().int().min(16).max(32_000).optional(),
  /**
   * The kept manuscript (manuscripts:*) the input is, or is taken from, and where the input starts in its text, as
   * runs:start's: kept with its members' runs, so the tournament reopened later names the manuscript to open.
   */
  manuscript: manuscriptRefSchema.optional(),
});
export type TournamentStart = z.infer<typeof tournamentStartSchema>;

/** What a tournament would be before it runs: its members and the most they may cost in all, or why none can sit. */
export type TournamentQuote =
  | {
      kind: 'tournament';
      members: { model_id: string; display_name: string; worst_case_usd: number }[];
      total_usd: number;
      /** Each member's request as sent (the task's instruction with the passage), and its answer length. */
      input_tokens: number;
      max_output_tokens: number;
    }
  | { kind: 'unseated'; reason: string };

export const tournamentGetSchema = z.strictObject({ tournament_id: tournamentId });
export const tournamentListSchema = z
  .strictObject({
    task: z.string().min(1).max(100).optional(),
    limit: z.number().int().min(1).max(200).optional(),
    /** The next page: the tournaments listed after this one (older, or as old and stored before it). */
    before: tournamentId.optional(),
  })
  .optional()
  .transform((value) => value ?? {});
export const tournamentResolveSchema = z.strictObject({
  tournament_id: tournamentId,
  finding_id: z.string().min(1).max(20),
  verdict: z.enum(['accept', 'dismiss']),
});
export type TournamentResolve = z.infer<typeof tournamentResolveSchema>;

export type AgreementStatus = 'consensus' | 'disputed' | 'contradicted';
export type FindingSeverity = 'low' | 'medium' | 'high';

export interface ConfidenceIngredients {
  /** Share of answering members that reported it; null when one model answered (nothing to cross-check). */
  agreement: number | null;
  /** Share that asserted the opposite. */
  opposition: number;
  /** Reporting members' mean quality estimate for the task, 0–1. */
  quality: number;
  /** Their mean historical agreement rate (share of their findings writers accepted, smoothed), 0–1. */
  history: number;
  verifier: 'approve' | 'reject' | null;
  /** agreement, or 0.5 for a single source. */
  support: number;
  /** 0.6 · quality + 0.4 · history. */
  reliability: number;
  /** support · (0.4 + 0.6 · reliability) · (1 − opposition) [· quotes factor], before the verifier's verdict. */
  base: number;
  /**
   * Share of the evidence quotes found in the input: a single run's answer, or a tournament finding's supporting
   * statements; null when nothing was quoted.
   */
  quotes?: number | null;
  /** A model below the minimum quality answered a task meant for a better one (confidence kept ≤ 0.3). */
  low_confidence_fallback?: boolean;
}

export interface ConfidenceScore {
  value: number;
  ingredients: ConfidenceIngredients;
}

/** One quote of a finding, as Quire found it in the text the members read. */
export interface TournamentEvidence {
  quote: string;
  /** Quire's own chapter and paragraph of the quote (never the model's word for it); null when it is not there. */
  location: TextLocation | null;
  /** In the text exactly, or but for spacing, quote marks, dashes or case; false lowers the finding's confidence. */
  found: boolean;
}

/** One member's own wording of a matched finding. */
export interface FindingStatement {
  model_id: string;
  claim: string;
  /** Every quote the member gave (a contradiction cites both places). */
  evidence: TournamentEvidence[];
  severity: FindingSeverity;
  suggestion: string | null;
}

export interface TournamentFinding {
  /** f1, f2, … within the tournament. */
  id: string;
  status: AgreementStatus;
  claim: string;
  /** The representative statement's quotes, each located in the text. */
  evidence: TournamentEvidence[];
  severity: FindingSeverity;
  suggestion: string | null;
  /** Members who reported it (the larger side when contradicted). */
  supporters: string[];
  /** Members who asserted the opposite. */
  opposers: string[];
  /** Members who answered and did not mention it. */
  silent: string[];
  statements: FindingStatement[];
  confidence: ConfidenceScore;
  resolution: 'accepted' | 'dismissed' | null;
}

export type MemberStatus = 'pending' | 'running' | 'done' | 'failed';

export interface TournamentMember {
  model_id: string;
  display_name: string;
  provider: string;
  /** Models of one family count as one voice when members are chosen. */
  family: string;
  local: boolean;
  role: 'member' | 'primary' | 'verifier';
  status: MemberStatus;
  /** Why it was dropped (failed, timed out, unreadable answer). */
  error: { code: string; message: string } | null;
  /** The raw answer (prose, or the JSON text for analysis tasks). */
  text: string;
  /** Parsed findings for analysis tasks; null for prose or an unreadable answer. */
  finding_count: number | null;
  worst_case_usd: number;
  cost_usd: number;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number | null;
  /** Quality estimate for the task (0–10) and historical agreement rate (0–1) at the time. */
  quality: number;
  history: number;
}

export interface TournamentVerification {
  verifier_model_id: string;
  verdict: 'approve' | 'reject' | null;
  issues: string[];
}

export interface TournamentJudging {
  judge_model_id: string;
  ranking: { model_id: string; score: number; wins: number; pairs: number }[];
  pairs: { a: string; b: string; winner: string | 'tie'; position_bias: boolean; reasons: string[] }[];
  consistency: number;
}

export interface Tournament {
  id: string;
  task: string;
  mode: 'tournament' | 'verification';
  /** findings: analysis tasks answer in findings; prose: creative tasks. */
  kind: 'findings' | 'prose';
  status: 'running' | 'done' | 'failed';
  created_at: string;
  finished_at: string | null;
  /** The writer's own words it was started with (tournaments:start `request`), as they wrote them; null for none. */
  request: string | null;
  members: TournamentMember[];
  findings: TournamentFinding[];
  verification: TournamentVerification | null;
  judging: TournamentJudging | null;
  /** Prose: the preferred answer's member. */
  winner: string | null;
  confidence: ConfidenceScore | null;
  /** Selection and resilience notes for the writer ("3 did not fit the cap: running with 2", "x timed out"). */
  notes: string[];
  reserved_usd: number;
  cost_usd: number;
  wall_ms: number | null;
  /** Why the whole tournament failed, when it did. */
  error: { code: string; message: string } | null;
  /**
   * The kept manuscript it ran on (tournaments:start `manuscript`), with its title now (null once the writer removed it
   * from Quire); absent for a pasted passage, and for tournaments from before it was kept. Only from tournaments:get.
   */
  manuscript?: { id: string; title: string | null; offset: number } | null;
}

export interface TournamentSummary {
  id: string;
  task: string;
  mode: Tournament['mode'];
  kind: Tournament['kind'];
  status: Tournament['status'];
  created_at: string;
  member_ids: string[];
  /** The start of the writer's request (runs.ts requestPreview); null for none. */
  request_preview: string | null;
  counts: Record<AgreementStatus, number>;
  confidence: number | null;
  cost_usd: number;
}

/** Per-member progress; every payload names its tournament and member. */
export interface TournamentMemberEvent {
  tournament_id: string;
  model_id: string;
  role: TournamentMember['role'];
}

export const tournamentChannels = {
  /** Runs to completion and returns the tournament; follow tournament:member-* events for live progress. */
  'tournaments:start': channel<Tournament>()(tournamentStartSchema, { maxBytes: 8 * 1024 * 1024 }),
  /** Who would sit and the most they may cost (what start reserves), without calling anyone: shown before Run. */
  'tournaments:quote': channel<TournamentQuote>()(tournamentStartSchema, { maxBytes: 8 * 1024 * 1024 }),
  'tournaments:get': channel<Tournament>()(tournamentGetSchema),
  'tournaments:list': channel<TournamentSummary[]>()(tournamentListSchema),
  'tournaments:resolve': channel<Tournament>()(tournamentResolveSchema),
  /**
   * A tournament as a Markdown report, as runs:export gives a run's: the writer's request, the decision (each finding
   * with who found it and the writer's verdict; the preferred answer), the verifier and the judge, and each model's own
   * answer with its cost.
   */
  'tournaments:export': channel<{ markdown: string; filename: string }>()(tournamentGetSchema),
  /**
   * Stops a running tournament (tournaments:start then returns it ended, status failed with error code `cancelled`):
   * members still answering are stopped and charged by the ledger's rule; no verifier or judge is asked. `cancelled`:
   * false when it is not running in this Quire.
   */
  'tournaments:cancel': channel<{ cancelled: boolean }>()(tournamentGetSchema),
};

export interface TournamentEvents {
  /** Members chosen and their worst cases reserved; members start next. */
  'tournament:started': {
    tournament_id: string;
    task: string;
    mode: Tournament['mode'];
    members: { model_id: string; role: TournamentMember['role'] }[];
  };
  'tournament:member-started': TournamentMemberEvent;
  'tournament:member-token': TournamentMemberEvent & { text: string };
  'tournament:member-done': TournamentMemberEvent & { cost_usd: number; duration_ms: number };
  /** Dropped: charged for what it used; the tournament goes on while two members remain. */
  'tournament:member-failed': TournamentMemberEvent & { code: string; message: string; cost_usd: number };
  'tournament:completed': { tournament_id: string; status: Tournament['status'] };
}
