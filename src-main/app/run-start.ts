// runs:start for critical tasks: with tournaments on (settings.tournament) and the task listed as critical, the run
// becomes a tournament and runs:start answers with its best member's run plus the tournament's id; otherwise (or
// when the caller names a model or asks for `single`) it is one run as before. It sits above both runs and
// tournaments, so neither imports the other's channel.
import { randomUUID } from 'node:crypto';
import type { RunQuote, RunStart, RunStartResult, Tournament, TournamentMember } from '../../src-preload/contract';
import { ConflictError, UnavailableError, isQuireError } from '../errors';
import type { RunService } from '../runs/run-service';
import type { HandlerMap } from '../transport/dispatcher';
import { memberRunId } from '../tournament/member-call';
import { NOT_SEATED, type TournamentService } from '../tournament/tournament-service';
import { refuseBlankPassage } from '../tasks/task-messages';
import type { RunJobs } from './run-job';

export interface RunStartDeps {
  runs: Pick<RunService, 'start' | 'get' | 'cancel' | 'quote' | 'running' | 'known'>;
  tournaments: Pick<TournamentService, 'isCritical' | 'start' | 'quoteSeats'>;
  /** A passage longer than the chosen model's context runs as one run with parts (run-job.ts). */
  jobs?: Pick<RunJobs, 'prepare' | 'quote' | 'run' | 'known' | 'cancel' | 'resumable' | 'resumeStart' | 'running'>;
  newId?: () => string;
}

export function runStartHandler(
  deps: RunStartDeps,
): Pick<HandlerMap, 'runs:start' | 'runs:quote' | 'runs:resume' | 'runs:get' | 'runs:wait'> &
  Partial<Pick<HandlerMap, 'runs:cancel'>> {
  const jobs = deps.jobs;
  // A run in parts that ended early says how far it got, so the Workbench can offer Resume when reopened.
  const get = (runId: string) => {
    const record = deps.runs.get(runId);
    const resume = jobs?.resumable(runId);
    return resume ? { ...record, resume } : record;
  };
  return {
    'runs:start': (input) => startRun(deps, input),
    'runs:quote': (input) => quoteRun(deps, input),
    // A run in parts that ended early goes on from the request it was started with (after a crash too).
    'runs:resume': ({ run_id }) => {
      if (!jobs)
        throw new ConflictError(
          'Only a run in parts that stopped before its end can be resumed; run this one again instead.',
          true,
        );
      return startRun(deps, jobs.resumeStart(run_id));
    },
    // A run with parts is stopped here (between and within parts); any other run by the runs service.
    ...(jobs
      ? {
          'runs:cancel': ({ run_id }: { run_id: string }) => ({
            cancelled: jobs.cancel(run_id) || deps.runs.cancel(run_id),
          }),
        }
      : {}),
    'runs:get': ({ run_id }) => get(run_id),
    'runs:wait': async ({ run_id }) => {
      // However it ends (a failure, a stop), its record says so.
      await (jobs?.running(run_id) ?? deps.runs.running(run_id))?.catch(() => undefined);
      return get(run_id);
    },
  };
}

function tournamentStart(start: RunStart) {
  refuseBlankPassage(start.input as string);
  return {
    task: start.task,
    input: start.input as string,
    ...(start.request ? { request: start.request } : {}),
    ...(start.manuscript ? { manuscript: start.manuscript } : {}),
    ...(start.tier ? { tier: start.tier } : {}),
    ...(start.max_output_tokens ? { max_output_tokens: clamp(start.max_output_tokens, 16, 32_000) } : {}),
  };
}

/**
 * The quote covers what will really run: one model's call with its one retry, every part of a job, every member of a
 * tournament, or the question when none can be seated.
 */
async function quoteRun(deps: RunStartDeps, start: RunStart): Promise<RunQuote> {
  if (!asTournament(deps, start)) {
    const jobs = deps.jobs;
    const job = await jobs?.prepare(start);
    if (jobs && job) return jobs.quote(job);
    const { decision, bound } = await deps.runs.quote(start);
    return {
      kind: 'single',
      at_most_usd: bound?.at_most_usd ?? 0,
      retry: bound?.retry ?? false,
      set_by: bound?.set_by ?? null,
      decision,
    };
  }
  const seats = await deps.tournaments.quoteSeats(tournamentStart(start));
  if (seats.kind !== 'unseated') return seats;
  // The writer is asked before one model runs instead: what that would cost is quoted with the question.
  const instead = await quoteRun(deps, { ...start, single: true });
  return instead.kind === 'single' || instead.kind === 'job' ? { ...seats, instead } : seats;
}

async function startRun(deps: RunStartDeps, start: RunStart): Promise<RunStartResult> {
  if (!asTournament(deps, start)) {
    if (deps.jobs) {
      // A caller's id that names a job joins or resumes it, and one that names a single run is that run, as the runs
      // service answers it (run as a job under that id, it overwrote the run); otherwise a passage too long for the
      // model becomes a job.
      if (deps.jobs.known(start.run_id))
        return { ...(await deps.jobs.run(start, null, start.run_id!)), tournament_id: null };
      const job = deps.runs.known(start.run_id) ? null : await deps.jobs.prepare(start);
      if (job) {
        const runId = start.run_id ?? (deps.newId ?? randomUUID)();
        return { ...(await deps.jobs.run(start, job, runId)), tournament_id: null };
      }
    }
    return { ...(await deps.runs.start(start)), tournament_id: null };
  }
  let tournament: Tournament;
  try {
    tournament = await deps.tournaments.start(tournamentStart(start));
  } catch (error) {
    // Fewer than two members fit (models, keys, cap or budget): nothing ran. One model answers only when the writer
    // says so (`single: true`, after runs:quote told the Workbench why), never silently in the tournament's place.
    if (isQuireError(error) && NOT_SEATED.has(error.code)) {
      throw new UnavailableError(
        `No tournament could be seated for this task: ${error.message} Nothing was run; run it on one model instead if you like.`,
        { cause: error, advised: true },
      );
    }
    throw error;
  }
  const best = bestMember(tournament);
  if (tournament.status === 'failed' || !best) throw new UnavailableError(notAnswered(tournament), { advised: true });
  return { ...deps.runs.get(memberRunId(tournament.id, best)), tournament_id: tournament.id };
}

/**
 * Why a tournament that ran has no answer, in the writer's words: how many of its models answered, each other one's
 * reason by its name, and the step. Its id is the history's, not the message's.
 */
function notAnswered(tournament: Tournament): string {
  const answering = tournament.members.filter((m) => m.role !== 'verifier');
  const dropped = answering.filter((m) => m.status !== 'done');
  const answered = answering.length - dropped.length;
  const what =
    tournament.mode === 'verification'
      ? 'The model asked to answer did not, so there was nothing to verify'
      : answered === 0
        ? `None of the ${answering.length} models in the tournament answered`
        : `Only ${answered} of the ${answering.length} models in the tournament answered, and it needs at least two to compare`;
  const reasons = dropped.map((m) => `${m.display_name}: ${shortReason(m)}`).join('; ');
  return `${what}.${reasons ? ` ${reasons}.` : ''} Run it on one model instead.`;
}

/** A member's reason, its first sentence only (its own next step is for a single run), never cut mid-word. */
function shortReason(member: TournamentMember): string {
  const message = member.error?.message.trim();
  if (!message) return member.status === 'failed' ? 'it did not answer' : 'it did not finish';
  const first = message.split(/(?<=[.!?][”"’)]?)\s+(?=[A-Z“"])/)[0]!.replace(/[.!?]$/, '');
  if (first.length <= MAX_REASON) return first;
  return `${first.slice(0, first.lastIndexOf(' ', MAX_REASON))}…`;
}

const MAX_REASON = 160;

function asTournament(deps: RunStartDeps, start: RunStart): boolean {
  // A named model, an explicit single run, chat messages, a caller's own JSON schema, a local-only request or images
  // are things a tournament cannot honour: those stay single runs. Images: members, verifiers and the judge read
  // text, and seating only models that see images would leave most tournaments unseated; one model that sees them
  // (chosen among vision models only) answers instead.
  if (start.model || start.single || start.local_only || start.json_schema || start.images?.length) return false;
  if (typeof start.input !== 'string') return false;
  return deps.tournaments.isCritical(start.task);
}

/**
 * The member whose answer runs:start returns: the judge's winner for prose; otherwise the answering member that
 * backs the most consensus findings, then the higher quality estimate for the task, then the selection order (the
 * primary, in verification mode, is the only one answering).
 */
function bestMember(tournament: Tournament): TournamentMember | undefined {
  const answered = tournament.members.filter((m) => m.role !== 'verifier' && m.status === 'done');
  const winner = answered.find((m) => m.model_id === tournament.winner);
  if (winner) return winner;
  const consensus = (m: TournamentMember) =>
    tournament.findings.filter((f) => f.status === 'consensus' && f.supporters.includes(m.model_id)).length;
  let best: TournamentMember | undefined;
  for (const m of answered) {
    if (!best || consensus(m) > consensus(best) || (consensus(m) === consensus(best) && m.quality > best.quality)) {
      best = m;
    }
  }
  return best;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
