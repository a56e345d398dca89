// The gateway's SQL: its one settings row, the apps' tokens (hashes only) and the run → app links, plus the ledger
// read by app. Ledger rows are only read here (joined on run_id); the ledger writes its own rows.
import { preparedOnce } from '../store/repos/prepared';
import type { Db } from '../store/database';

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

/** As the budget counts a row: settled at its charge, open or crash-left at its reservation, released at 0. */
const COUNTED = `CASE l.state WHEN 'settled' THEN l.charged_micros WHEN 'released' THEN 0 ELSE l.reserved_micros END`;
/**
 * What a token's cap check reads from the ledger: settled and crash-left rows. Open reservations are left out because
 * the gateway holds each call's worst case itself until the call has settled.
 */
const FINISHED = `CASE l.state WHEN 'settled' THEN l.charged_micros WHEN 'orphaned' THEN l.reserved_micros ELSE 0 END`;

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

export class GatewayRepo {
  private readonly q: ReturnType<typeof preparedOnce>;

  /** Last time each token's last_used_at was written: "last used" is shown to the minute, so once a minute will do. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.q = preparedOnce(db);
  }

  /**
   * A write that needs no fsync of its own: the run's first commit (its reservation or its `running` row, both
   * synchronous=FULL) follows at once and makes the WAL durable up to and including this one. Saves a disk flush per
   * gateway call.
   */
  private relaxed<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
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
    const row = this.q<RawToken>(
      `SELECT id, name, monthly_cap_micros, local_only, created_at, last_used_at, revoked_at
       FROM gateway_tokens WHERE token_sha256 = ? AND revoked_at IS NULL`,
    ).get(sha256);
    return row ? toToken(row) : undefined;
  }

  liveTokens(): TokenRow[] {
    return this.q<RawToken>(
      `SELECT id, name, monthly_cap_micros, local_only, created_at, last_used_at, revoked_at
       FROM gateway_tokens WHERE revoked_at IS NULL ORDER BY created_at, id`,
    )
      .all()
      .map(toToken);
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

  /** Before the run starts: its charges belong to this app. */
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

  /** A token's settled and crash-left charges in a month (micro-USD), for its cap. */
  finishedMicros(tokenId: string, month: string): number {
    return this.q<number>(
      `SELECT COALESCE(SUM(${FINISHED}), 0) FROM ledger l JOIN gateway_runs g ON g.run_id = l.run_id
       WHERE g.token_id = ? AND l.month = ?`,
    )
      .pluck()
      .get(tokenId, month) as number;
  }

  /** The month's gateway spend grouped by app, most spent first. */
  byApp(month: string): AppSpendRow[] {
    return this.q<Omit<AppSpendRow, 'revoked'> & { revoked: number }>(
      `SELECT g.token_id AS token_id, t.name AS name, t.revoked_at IS NOT NULL AS revoked,
         COALESCE(SUM(${COUNTED}), 0) AS counted_micros,
         COALESCE(SUM(CASE l.state WHEN 'reserved' THEN l.reserved_micros ELSE 0 END), 0) AS reserved_micros,
         COUNT(*) AS calls, COALESCE(SUM(l.input_tokens), 0) AS input_tokens,
         COALESCE(SUM(l.output_tokens), 0) AS output_tokens
       FROM ledger l JOIN gateway_runs g ON g.run_id = l.run_id JOIN gateway_tokens t ON t.id = g.token_id
       WHERE l.month = ? GROUP BY g.token_id ORDER BY counted_micros DESC, t.name`,
    )
      .all(month)
      .map((r) => ({ ...r, revoked: Boolean(r.revoked) }));
  }
}
