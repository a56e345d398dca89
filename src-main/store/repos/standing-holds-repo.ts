import type { Db } from '../database';
import type { Owner } from '../owner';
import { preparedOnce } from './prepared';

export interface StandingHoldRow {
  id: number;
  month: string;
  micros: number;
  owner_pid: number | null;
  owner_token: string | null;
  boot_id: string | null;
  created_at: string;
}

/** All standing_holds SQL (migration 030), rows mapped here only. */
export class StandingHoldsRepo {
  private readonly q: ReturnType<typeof preparedOnce>;

  constructor(db: Db) {
    this.q = preparedOnce(db);
  }

  /** What every process holds ahead in `month`: each budget check counts it. */
  total(month: string): number {
    return this.q<number>(`SELECT COALESCE(SUM(micros), 0) FROM standing_holds WHERE month = ?`).pluck().get(month)!;
  }

  /** What hold `id` has left in `month` (0 when it is gone or holds another month). */
  held(id: number, month: string): number {
    return this.q<number>(`SELECT micros FROM standing_holds WHERE id = ? AND month = ?`).pluck().get(id, month) ?? 0;
  }

  insert(month: string, micros: number, owner: Owner, boot: string | null, at: string): number {
    return Number(
      this.q(
        `INSERT INTO standing_holds (month, micros, owner_pid, owner_token, boot_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(month, micros, owner.pid, owner.token, boot, at).lastInsertRowid,
    );
  }

  set(id: number, micros: number): void {
    this.q(`UPDATE standing_holds SET micros = ? WHERE id = ?`).run(micros, id);
  }

  remove(id: number): void {
    this.q(`DELETE FROM standing_holds WHERE id = ?`).run(id);
  }

  all(): StandingHoldRow[] {
    return this.q<StandingHoldRow>(
      `SELECT id, month, micros, owner_pid, owner_token, boot_id, created_at FROM standing_holds ORDER BY id`,
    ).all();
  }
}
