// How a tournament's findings are said, in the History and its panel: a tournament's by how far its models agreed; a
// checked answer's (verification) as that one model's, never a "consensus" of one.
import type { AgreementStatus, Tournament, TournamentSummary } from '$contract/tournaments';

const GROUP_TEXT: Record<AgreementStatus, { title: string; hint: string }> = {
  consensus: { title: 'Consensus', hint: 'Most or all of the models found this.' },
  disputed: { title: 'Disputed', hint: 'Only a minority found this — check the quote yourself.' },
  contradicted: { title: 'Contradicted', hint: 'The models assert opposite things here.' },
};

/** "1 consensus, 2 disputed"; "3 findings" for a checked answer; "no findings". */
export function tournamentCountsText(t: Pick<TournamentSummary, 'mode' | 'counts'>): string {
  if (t.mode === 'verification') {
    const n = t.counts.consensus + t.counts.disputed + t.counts.contradicted;
    return n === 0 ? 'no findings' : `${n} finding${n === 1 ? '' : 's'}`;
  }
  return (
    (['consensus', 'disputed', 'contradicted'] as const)
      .filter((status) => t.counts[status] > 0)
      .map((status) => `${t.counts[status]} ${status}`)
      .join(', ') || 'no findings'
  );
}

/** The heading of a group of findings in the panel. */
export function findingGroupText(mode: Tournament['mode'], status: AgreementStatus): { title: string; hint: string } {
  return mode === 'verification'
    ? { title: 'Findings', hint: 'One model answered; a second model checked its answer (see the Verifier).' }
    : GROUP_TEXT[status];
}

/**
 * A tournament, or one of its members, the writer stopped (tournaments:cancel): it ends as failed with the error code
 * `cancelled`, and is said to be stopped, not to have failed or dropped out.
 */
export function stoppedByWriter(t: { status: string; error?: { code: string } | null | undefined }): boolean {
  return t.status === 'failed' && t.error?.code === 'cancelled';
}
