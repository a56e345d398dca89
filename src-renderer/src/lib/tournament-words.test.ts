import { describe, expect, it } from 'vitest';
import { findingGroupText, stoppedByWriter, tournamentCountsText } from './tournament-words';

describe('tournamentCountsText', () => {
  it('says how far the models agreed, for a tournament', () => {
    const counts = { consensus: 1, disputed: 2, contradicted: 0 };
    expect(tournamentCountsText({ mode: 'tournament', counts })).toBe('1 consensus, 2 disputed');
    expect(tournamentCountsText({ mode: 'tournament', counts: { consensus: 0, disputed: 0, contradicted: 0 } })).toBe(
      'no findings',
    );
  });

  it('counts a checked answer’s findings, which one model gave: no "consensus" of one', () => {
    expect(tournamentCountsText({ mode: 'verification', counts: { consensus: 1, disputed: 0, contradicted: 0 } })).toBe(
      '1 finding',
    );
    expect(tournamentCountsText({ mode: 'verification', counts: { consensus: 2, disputed: 1, contradicted: 0 } })).toBe(
      '3 findings',
    );
  });
});

describe('findingGroupText', () => {
  it('says a group of a tournament by how far the models agreed, and a checked answer’s as its model’s', () => {
    expect(findingGroupText('tournament', 'consensus').title).toBe('Consensus');
    expect(findingGroupText('verification', 'consensus')).toEqual({
      title: 'Findings',
      hint: 'One model answered; a second model checked its answer (see the Verifier).',
    });
  });

  it('says a tournament or member the writer stopped is stopped, and nothing else is', () => {
    expect(stoppedByWriter({ status: 'failed', error: { code: 'cancelled' } })).toBe(true);
    expect(stoppedByWriter({ status: 'failed', error: { code: 'timeout' } })).toBe(false);
    expect(stoppedByWriter({ status: 'done', error: null })).toBe(false);
    expect(stoppedByWriter({ status: 'running' })).toBe(false);
  });
});
