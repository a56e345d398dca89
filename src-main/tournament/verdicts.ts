// The writer's verdict on a finding, fed back: agreement records for the historical rates, quality scores for the
// models that took a side.
import type { Tournament, TournamentResolve } from '../../src-preload/contract';
import { ConflictError, NotFoundError } from '../errors';
import type { TournamentDeps } from './tournament-deps';

/**
 * The writer accepts or dismisses a finding. Every model that took a side (or stayed silent) gets an agreement
 * record; those that reported or opposed it get a quality score (10 when the writer sided with them, 0 otherwise).
 * A verdict is final: changing it would count the same finding twice.
 */
export function resolveFinding(
  deps: Pick<TournamentDeps, 'repo' | 'feedback' | 'now'>,
  tournament: Tournament,
  input: TournamentResolve,
): void {
  const finding = tournament.findings.find((f) => f.id === input.finding_id);
  if (!finding) throw new NotFoundError('Finding', input.finding_id);
  const resolution = input.verdict === 'accept' ? 'accepted' : 'dismissed';
  if (finding.resolution === resolution) return;
  if (finding.resolution !== null) {
    throw new ConflictError(`Finding ${finding.id} was already ${finding.resolution}; a verdict cannot be changed.`);
  }
  const accepted = resolution === 'accepted';
  const sides = [
    ...finding.supporters.map((model_id) => ({ model_id, agreed: accepted, scored: true })),
    ...finding.opposers.map((model_id) => ({ model_id, agreed: !accepted, scored: true })),
    ...finding.silent.map((model_id) => ({ model_id, agreed: !accepted, scored: false })),
  ];
  deps.repo.resolve(tournament.id, finding.id, resolution, sides, tournament.task, deps.now());
  for (const side of sides.filter((s) => s.scored)) {
    deps.feedback.record({
      model_id: side.model_id,
      task: tournament.task,
      score: side.agreed ? 10 : 0,
      source: 'tournament',
    });
  }
}
