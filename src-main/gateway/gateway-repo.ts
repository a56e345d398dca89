// The gateway's SQL: its one settings row, the apps' tokens (hashes only) and the run → app links, plus the ledger
// read by app. Ledger rows are only read here (joined on run_id); the ledger writes its own rows.
import { preparedOnce } from '../store/repos/prepared';
import type { Db } from '../store/database';
import { currentOwner, isOwnerAlive, type Owner } from '../store/owner';
import { groupCommitOf } from '../store/group-commit';
import { CALLS } from '../store/repos/ledger-repo';

export interface GatewayConfigRow {
  enabled: boolean;
  port: number;
  origins: string[];
}

export interface TokenRow {
  id: string;
  name: string;
  monthly_cap_micros: number | null;
  local_only: boolean;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AppSpendRow {
  token_id: string;
  name: string;
  revoked: boolean;
  counted_micros: number;
  reserved_micros: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

/** Quire's own runs' part of a month (the Workbench's, not an app's): as an app's row, without its token. */
export type OwnSpendRow = Omit<AppSpendRow, 'token_id' | 'name' | 'revoked'>;

interface RawToken {
  id: string;
  name: string;
  monthly_cap_micros: number | null;
  local_only: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toToken = (r: RawToken): TokenRow => ({ ...r, local_only: r.local_only === 1 });
const SELECT_TOKEN =
  'SELECT id, name, monthly_cap_micros, local_only, created_at, last_used_at, revoked_at FROM gateway_tokens';

export class GatewayRepo {
  private readonly q: ReturnType<typeof preparedOnce>;

  /** Last time each token's last_used_at was written: "last used" is shown to the minute, so once a minute will do. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly owner: Owner = currentOwner(),
  ) {
    this.q = preparedOnce(db);
  }

  /**
   * A write that needs no fsync of its own: committed through the connection's group commit, and on disk with the next
   * fsync another write starts (the run's own commits wait for one). A failed fsync is reported to the writes that
   * wait for it.
   */
  private relaxed<T>(fn: () => T): T {
    const { value, durable } = groupCommitOf(this.db).write(fn, { rides: () => true });
    durable.catch(() => undefined);
    return value;
  }

  config(defaults: GatewayConfigRow): GatewayConfigRow {
    const row = this.q<{ enabled: number; port: number; origins_json: string }>(
      'SELECT enabled, port, origins_json FROM gateway_config WHERE id = 1',
    ).get();
    if (!row) return defaults;
    return { enabled: row.enabled === 1, port: row.port, origins: JSON.parse(row.origins_json) as string[] };
  }

  saveConfig(config: GatewayConfigRow): void {
    this.q(
      `INSERT INTO gateway_config (id, enabled, port, origins_json, updated_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled, port = excluded.port,
         origins_json = excluded.origins_json, updated_at = excluded.updated_at`,
    ).run(config.enabled ? 1 : 0, config.port, JSON.stringify(config.origins), this.now().toISOString());
  }

  insertToken(token: Omit<TokenRow, 'last_used_at' | 'revoked_at'>, sha256: string): void {
    this.q(
      `INSERT INTO gateway_tokens (id, name, token_sha256, monthly_cap_micros, local_only, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(token.id, token.name, sha256, token.monthly_cap_micros, token.local_only ? 1 : 0, token.created_at);
  }

  /** The live (not revoked) token with this hash. */
  bySha256(sha256: string): TokenRow | undefined {
    const row = this.q<RawToken>(`${SELECT_TOKEN} WHERE token_sha256 = ? AND revoked_at IS NULL`).get(sha256);
    return row ? toToken(row) : undefined;
  }

  /** The token as it is now (its limits may have changed since it was read), or undefined once it is revoked. */
  liveToken(id: string): TokenRow | undefined {
    const row = this.q<RawToken>(`${SELECT_TOKEN} WHERE id = ? AND revoked_at IS NULL`).get(id);
    return row ? toToken(row) : undefined;
  }

  liveTokens(): TokenRow[] {
    return this.q<RawToken>(`${SELECT_TOKEN} WHERE revoked_at IS NULL ORDER BY created_at, id`).all().map(toToken);
  }

  /** A live token's cap and local-only switch (each when given); false when there is no such live token. */
  updateLimits(id: string, limits: { monthly_cap_micros?: number | null; local_only?: boolean }): boolean {
    const capGiven = limits.monthly_cap_micros !== undefined;
    return (
      this.q(
        `UPDATE gateway_tokens
           SET monthly_cap_micros = CASE WHEN ? THEN ? ELSE monthly_cap_micros END,
               local_only = COALESCE(?, local_only)
         WHERE id = ? AND revoked_at IS NULL`,
      ).run(
        capGiven ? 1 : 0,
        limits.monthly_cap_micros ?? null,
        limits.local_only === undefined ? null : limits.local_only ? 1 : 0,
        id,
      ).changes > 0
    );
  }

  revoke(id: string): boolean {
    return (
      this.q('UPDATE gateway_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(
        this.now().toISOString(),
        id,
      ).changes > 0
    );
  }

  touch(id: string): void {
    const at = this.now();
    if (at.getTime() - (this.touched.get(id) ?? -Infinity) < 60_000) return;
    this.touched.set(id, at.getTime());
    this.relaxed(() => this.q('UPDATE gateway_tokens SET last_used_at = ? WHERE id = ?').run(at.toISOString(), id));
  }

  /** The run's charges belong to this app: in a transaction of its own, or the caller's (the run's first row). */
  linkRun(runId: string, token: Pick<TokenRow, 'id' | 'name'>): void {
    this.relaxed(() =>
      this.q('INSERT INTO gateway_runs (run_id, token_id, client, created_at) VALUES (?, ?, ?, ?)').run(
        runId,
        token.id,
        token.name,
        this.now().toISOString(),
      ),
    );
  }

  /**
   * What counts against a token's monthly cap, read from SQLite so every process sees every other's calls: its
   * month's ledger rows as the budget counts them (settled at their charge, open or crash-left at their reservation),
   * plus, for each call still in flight in a live process, the part of its hold (the worst case of its whole fallback
   * chain) that its open reservations do not cover yet.
   */
  capCounted(tokenId: string, month: string): number {
    // The month's ledger rows of this app, summed by triggers as they are written (migration 011).
    const ledger =
      (this.q<number>('SELECT counted_micros FROM gateway_month_totals WHERE token_id = ? AND month = ?')
        .pluck()
        .get(tokenId, month) as number | undefined) ?? 0;
    const holds = this.q<{ pid: number | null; token: string | null; extra: number }>(
      `SELECT g.owner_pid AS pid, g.owner_token AS token,
         MAX(g.held_micros - COALESCE((SELECT SUM(l.reserved_micros) FROM ledger l
           WHERE l.run_id = g.run_id AND l.state = 'reserved'), 0), 0) AS extra
       FROM gateway_runs g WHERE g.token_id = ? AND g.held_micros > 0`,
    ).all(tokenId);
    let extra = 0;
    for (const hold of holds) if (hold.pid === this.owner.pid || isOwnerAlive(hold)) extra += hold.extra;
    return ledger + extra;
  }

  /**
   * The cap check and the call's hold in one IMMEDIATE transaction: no other process can check the same cap between
   * them. Returns what was already counted when the call does not fit (nothing is written then), else null. Committed
   * without an fsync of its own: the run's first commit, before any provider call, waits for one that covers it.
   */
  holdAndLink(
    runId: string,
    token: Pick<TokenRow, 'id' | 'name'>,
    cap: { micros: number; limit: number; month: string },
  ): { counted: number } | null {
    return this.relaxed(() => {
      const counted = this.capCounted(token.id, cap.month);
      if (cap.micros > 0 && counted + cap.micros > cap.limit) return { counted };
      this.q(
        `INSERT INTO gateway_runs (run_id, token_id, client, created_at, held_micros, owner_pid, owner_token)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(runId, token.id, token.name, this.now().toISOString(), cap.micros, this.owner.pid, this.owner.token);
      return null;
    });
  }

  /** The call has ended (its charge is in the ledger): its hold no longer counts. */
  releaseHold(runId: string): void {
    this.relaxed(() =>
      this.q('UPDATE gateway_runs SET held_micros = 0 WHERE run_id = ? AND held_micros > 0').run(runId),
    );
  }

  /**
   * The month's spend that no app sent through the gateway: the month's rollup (migration 008) less the apps' totals,
   * in one statement, so it and the apps' rows add up to the month's total.
   */
  ownSpend(month: string): OwnSpendRow {
    const sums = (table: string, open: string, calls: string) =>
      `SELECT COALESCE(SUM(counted_micros), 0) AS counted, COALESCE(SUM(${open}), 0) AS open,
              COALESCE(SUM(${calls}), 0) AS calls, COALESCE(SUM(input_tokens), 0) AS input,
              COALESCE(SUM(output_tokens), 0) AS output
         FROM ${table} WHERE month = ?`;
    return this.q<OwnSpendRow>(
      `SELECT m.counted - g.counted AS counted_micros, m.open - g.open AS reserved_micros, m.calls - g.calls AS calls,
              m.input - g.input AS input_tokens, m.output - g.output AS output_tokens
         FROM (${sums('ledger_rollup', 'open_micros', CALLS)}) m,
              (${sums('gateway_month_totals', 'reserved_micros', 'calls')}) g`,
    ).get(month, month)!;
  }

  /** The month's gateway spend grouped by app, most spent first. */
  byApp(month: string): AppSpendRow[] {
    // From the triggers' month totals (migration 011), not a scan of the month's ledger rows.
    return this.q<Omit<AppSpendRow, 'revoked'> & { revoked: number }>(
      `SELECT m.token_id AS token_id, t.name AS name, t.revoked_at IS NOT NULL AS revoked,
         m.counted_micros, m.reserved_micros, m.calls, m.input_tokens, m.output_tokens
       FROM gateway_month_totals m JOIN gateway_tokens t ON t.id = m.token_id
       WHERE m.month = ? AND m.calls > 0 ORDER BY m.counted_micros DESC, t.name`,
    )
      .all(month)
      .map((r) => ({ ...r, revoked: Boolean(r.revoked) }));
  }
}
