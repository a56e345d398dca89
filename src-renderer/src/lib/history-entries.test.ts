import { describe, expect, it } from 'vitest';
import { runSummary, tournamentSummary } from '../../../test/renderer/fixtures';
import { historyEntries, memberNote } from './history-entries';

const NONE_OLDER = { runs: false, tournaments: false };
const run = (id: string, at: string) => runSummary(id, { created_at: at });
const tournament = (id: string, at: string, members = ['a/x', 'b/y', 'c/z']) => ({
  ...tournamentSummary(id),
  created_at: at,
  member_ids: members,
});

describe('historyEntries', () => {
  it('lists each tournament once among the runs, newest first', () => {
    const entries = historyEntries(
      [run('r2', '2026-12-06T12:00:00.000Z'), run('r1', '2026-12-04T12:00:00.000Z')],
      [tournament('tn_1', '2026-12-05T09:00:00.000Z')],
      NONE_OLDER,
    );
    expect(entries.map((entry) => entry.key)).toEqual(['r2', 'tn_1', 'r1']);
    expect(entries[1]).toMatchObject({ kind: 'tournament', tournament: { id: 'tn_1' } });
  });

  it('while older runs are not listed yet, leaves out the tournaments older than them (they come with their page)', () => {
    const runs = [run('r2', '2026-12-06T12:00:00.000Z'), run('r1', '2026-12-04T12:00:00.000Z')];
    const tournaments = [
      tournament('tn_2', '2026-12-05T09:00:00.000Z'),
      tournament('tn_1', '2026-12-01T09:00:00.000Z'),
    ];
    expect(historyEntries(runs, tournaments, { runs: true, tournaments: false }).map((entry) => entry.key)).toEqual([
      'r2',
      'tn_2',
      'r1',
    ]);
    expect(historyEntries(runs, tournaments, NONE_OLDER).map((entry) => entry.key)).toEqual([
      'r2',
      'tn_2',
      'r1',
      'tn_1',
    ]);
    // Only tournaments so far: every one is listed.
    expect(historyEntries([], tournaments, NONE_OLDER)).toHaveLength(2);
  });

  it('while older tournaments are not listed yet, leaves out the runs older than them (they come with their page)', () => {
    // A writer who runs their checks as tournaments: a page of tournaments reaches less far back than one of runs.
    const runs = [run('r2', '2026-12-06T12:00:00.000Z'), run('r1', '2026-11-01T12:00:00.000Z')];
    const tournaments = [
      tournament('tn_2', '2026-12-05T09:00:00.000Z'),
      tournament('tn_1', '2026-12-01T09:00:00.000Z'),
    ];
    expect(historyEntries(runs, tournaments, { runs: false, tournaments: true }).map((entry) => entry.key)).toEqual([
      'r2',
      'tn_2',
      'tn_1',
    ]);
  });
});

describe('historyEntries for one task', () => {
  it('lists only that task’s tournaments (its runs come filtered from the host)', () => {
    const other = { ...tournament('tn_2', '2026-12-05T09:00:00.000Z'), task: 'line_edit' };
    const entries = historyEntries(
      [],
      [tournament('tn_1', '2026-12-06T09:00:00.000Z'), other],
      NONE_OLDER,
      'line_edit',
    );
    expect(entries.map((entry) => entry.key)).toEqual(['tn_2']);
  });
});

describe('memberNote', () => {
  const names = (id: string) => ({ 'a/x': 'Atlas Reader', 'b/y': 'Boreal Reader' })[id] ?? id;
  const date = (iso: string) => (iso.startsWith('2026-12-06') ? 'Dec 6, 2026' : iso);

  it('names the model and the tournament it answered in, by its size and day', () => {
    const t = tournament('tn_1', '2026-12-06T10:00:00.000Z');
    expect(memberNote({ run_id: 'tn_1/member/b/y', model_id: 'b/y' }, [t], names, date)).toEqual({
      tournamentId: 'tn_1',
      message: 'Boreal Reader’s answer: one of 3 models in the tournament of Dec 6, 2026.',
    });
    expect(memberNote({ run_id: 'tn_1/verifier/a/x', model_id: 'a/x' }, [t], names, date)?.message).toBe(
      'Atlas Reader checked another model’s answer in the tournament of Dec 6, 2026.',
    );
  });

  it('says it was part of a tournament even when that tournament is not listed; a run of its own has no note', () => {
    expect(memberNote({ run_id: 'tn_9/member/a/x', model_id: 'a/x' }, [], names, date)?.message).toBe(
      'Atlas Reader’s answer: one of the models in a tournament.',
    );
    expect(memberNote({ run_id: 'r1', model_id: 'a/x' }, [], names, date)).toBeNull();
  });
});
