// Tournament findings in SQLite: what a tournament shows is what is read back, and rows written before migration 012
// (one quote, the model's own place for it) still read, as a one-quote evidence list.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Tournament, TournamentFinding } from '../../../src-preload/contract/tournaments';
import { useTempDir } from '../../../test/support/temp-dir';
import { openDatabase } from '../database';
import { MIGRATIONS } from '../migrations';
import { TournamentRepo } from './tournament-repo';

const tournament = (findings: TournamentFinding[]): Tournament => ({
  id: 't1',
  task: 'continuity_check',
  mode: 'tournament',
  kind: 'findings',
  status: 'done',
  created_at: '2026-03-10T12:00:00.000Z',
  finished_at: '2026-03-10T12:01:00.000Z',
  request: null,
  members: [],
  findings,
  verification: null,
  judging: null,
  winner: null,
  confidence: null,
  notes: [],
  reserved_usd: 0,
  cost_usd: 0,
  wall_ms: 10,
  error: null,
});

const confidence = {
  value: 0.5,
  ingredients: {
    agreement: 1,
    opposition: 0,
    quality: 0.7,
    history: 0.5,
    verifier: null,
    support: 1,
    reliability: 0.62,
    base: 0.5,
    quotes: 0.5,
  },
};

describe('TournamentRepo', () => {
  const tempDir = useTempDir();

  it('at start-up marks a tournament a crash left running as failed, never one a live process still holds calls for', () => {
    const db = openDatabase(join(tempDir(), 'quire.sqlite'));
    const repo = new TournamentRepo(db);
    repo.save({ ...tournament([]), id: 'gone', status: 'running', finished_at: null }, 'text');
    repo.save({ ...tournament([]), id: 'live', status: 'running', finished_at: null }, 'text');
    const row = db.prepare(
      `INSERT INTO ledger (run_id, month, day, model_id, provider, task, state, reserved_micros, charged_micros, created_at)
       VALUES (?, '2026-03', '2026-03-10', 'm', 'p', 'continuity_check', ?, ?, ?, '2026-03-10T12:00:00.000Z')`,
    );
    // The calls that were made stored their runs before they were sent (the crash left them interrupted).
    const run = db.prepare(
      `INSERT INTO runs (id, task, status, request_json, attempts_json, created_at)
       VALUES (?, 'continuity_check', 'interrupted', '{}', '[]', '2026-03-10T12:00:00.000Z')`,
    );
    for (const id of ['gone/member/a', 'gone/member/b', 'gone0']) run.run(id);
    const crashed = row.run('gone/member/b', 'orphaned', 700, null).lastInsertRowid;
    row.run('gone/member/a', 'settled', 900, 400);
    row.run('gone/member/b/repair', 'released', 500, 0);
    // Held with the others, never asked for: no run under its id.
    const unsent = row.run('gone/verifier/c', 'orphaned', 600, null).lastInsertRowid;
    row.run('gone0', 'orphaned', 10_000, null); // another id that only starts like it
    const otherUnsent = row.run('gone1/member/x', 'orphaned', 300, null).lastInsertRowid; // no tournament of its own
    row.run('live/member/a', 'reserved', 800, null);
    row.run('live/verifier/b', 'orphaned', 200, null); // a live tournament's: left for it
    expect(repo.markInterrupted('2026-03-10T13:00:00.000Z')).toBe(1);
    expect(repo.get('gone')).toMatchObject({
      status: 'failed',
      finished_at: '2026-03-10T13:00:00.000Z',
      cost_usd: 0.0011,
      error: {
        code: 'internal',
        message:
          'Quire stopped during this tournament (a crash or a quit); what its calls may have been billed still ' +
          'counts. Run it again for its answers.',
      },
    });
    expect(repo.get('live')).toMatchObject({ status: 'running', finished_at: null });
    const state = (id: number | bigint) => db.prepare('SELECT state, duration_ms FROM ledger WHERE id = ?').get(id);
    // The hold of a call that may have been billed stays counted; the unsent one is given back, and is not a call.
    expect(state(crashed)).toEqual({ state: 'orphaned', duration_ms: null });
    expect(state(unsent)).toEqual({ state: 'released', duration_ms: null });
    expect(state(otherUnsent)).toEqual({ state: 'orphaned', duration_ms: null });
    const month = db.prepare(`SELECT orphaned_micros FROM ledger_month_totals WHERE month = '2026-03'`).get();
    expect(month).toEqual({ orphaned_micros: 700 + 10_000 + 300 + 200 });
  });

  it('reads back every quote of a finding with its place and whether it was found', () => {
    const db = openDatabase(join(tempDir(), 'quire.sqlite'));
    const repo = new TournamentRepo(db);
    const green = { chapter: 1, chapter_title: 'The Harbour', paragraph: 1, label: 'The Harbour, paragraph 1' };
    const finding: TournamentFinding = {
      id: 'f1',
      status: 'contradicted',
      claim: "Mara's eyes change colour",
      evidence: [
        { quote: 'her green eyes', location: green, found: true },
        { quote: 'her violet eyes', location: null, found: false },
      ],
      severity: 'high',
      suggestion: 'Pick one colour.',
      supporters: ['a'],
      opposers: ['b'],
      silent: [],
      statements: [
        {
          model_id: 'a',
          claim: "Mara's eyes change colour",
          evidence: [{ quote: 'her green eyes', location: green, found: true }],
          severity: 'high',
          suggestion: null,
        },
      ],
      confidence,
      resolution: null,
    };
    repo.save(tournament([finding]), 'input');
    expect(repo.get('t1')!.findings).toEqual([finding]);
    db.close();
  });

  it('reads a finding written before migration 012 as one quote without a place (the gap at 011 is skipped)', () => {
    const file = join(tempDir(), 'quire.sqlite');
    // A database as Quire left it at migration 10.
    const old = openDatabase(
      file,
      MIGRATIONS.filter((m) => m.version <= 10),
    );
    old
      .prepare(
        `INSERT INTO tournaments (id, task, mode, kind, status, input_text, detail_json, created_at)
         VALUES ('t1', 'continuity_check', 'tournament', 'findings', 'done', 'Her blue eyes flashed.', ?, ?)`,
      )
      .run(
        JSON.stringify({ members: [], verification: null, judging: null, winner: null, notes: [], confidence: null }),
        '2026-03-10T12:00:00.000Z',
      );
    old
      .prepare(
        `INSERT INTO tournament_findings (tournament_id, id, position, status, claim, evidence_quote, location, severity,
           quote_found, supporters_json, opposers_json, silent_json, statements_json, confidence, ingredients_json)
         VALUES ('t1', 'f1', 0, 'consensus', 'Eyes change', 'her blue eyes', 'Chapter 12', 'high', 1, '["a"]', '[]',
           '[]', ?, 0.8, ?)`,
      )
      .run(
        JSON.stringify([
          {
            model_id: 'a',
            claim: 'Eyes change',
            evidence_quote: 'her blue eyes',
            location: 'ch. 12',
            severity: 'high',
            quote_found: true,
          },
        ]),
        JSON.stringify(confidence.ingredients),
      );
    old.close();

    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(12);
    const [read] = new TournamentRepo(db).get('t1')!.findings;
    expect(read).toMatchObject({
      claim: 'Eyes change',
      evidence: [{ quote: 'her blue eyes', location: null, found: true }],
      suggestion: null,
      statements: [
        { model_id: 'a', evidence: [{ quote: 'her blue eyes', location: null, found: true }], suggestion: null },
      ],
    });
    db.close();
  });
});
