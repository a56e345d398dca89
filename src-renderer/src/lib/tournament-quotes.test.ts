import { describe, expect, it } from 'vitest';
import type { TournamentEvidence, TournamentFinding } from '$contract/tournaments';
import { tournamentQuotes } from './tournament-quotes';

const MANUSCRIPT =
  '# Chapter 1\n\nMara pushed the hair from her green eyes.\n\n# Chapter 2\n\nThe boat was red.\n\n# Chapter 3\n\nShe turned, her blue eyes flashed.';

const evidence = (quote: string, found = true): TournamentEvidence => ({
  quote,
  found,
  location: found ? { chapter: 1, chapter_title: null, paragraph: 1, label: 'Chapter 1, paragraph 1' } : null,
});
const finding = (...quotes: TournamentEvidence[]) => ({ evidence: quotes }) as unknown as TournamentFinding;

describe('tournamentQuotes: a tournament’s quotes in the manuscript on screen, as a single run’s', () => {
  it('finds each quote the tournament found in the text on screen, by Quire’s rule (quote marks, spacing)', () => {
    const quotes = tournamentQuotes(
      { findings: [finding(evidence('her green eyes'), evidence('her  blue eyes flashed'), evidence('a dog', false))] },
      MANUSCRIPT,
    );
    const [green, blue, dog] = [
      evidence('her green eyes'),
      evidence('her  blue eyes flashed'),
      evidence('a dog', false),
    ].map((e) => quotes.spanOf(e));
    expect(MANUSCRIPT.slice(green!.start, green!.end)).toBe('her green eyes');
    expect(MANUSCRIPT.slice(blue!.start, blue!.end)).toBe('her blue eyes flashed');
    expect(dog).toBeNull();
    expect(quotes.elsewhere).toBe(false);
  });

  it('says it ran elsewhere when none of its quotes is in the text on screen, or nothing is on screen', () => {
    const tournament = { findings: [finding(evidence('her green eyes'))] };
    expect(tournamentQuotes(tournament, 'Another story altogether.').elsewhere).toBe(true);
    expect(tournamentQuotes(tournament, '').elsewhere).toBe(true);
    // Nothing it found to place: nothing to say.
    expect(tournamentQuotes({ findings: [finding(evidence('a dog', false))] }, '').elsewhere).toBe(false);
  });
});
