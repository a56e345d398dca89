import type { Db } from '../database';

export type FeedbackSource = 'rating' | 'tournament' | 'agreement';

export interface FeedbackAggregate {
  model_id: string;
  task: string;
  count: number;
  sum: number;
}

/** Every rating and tournament outcome, kept as rows; the estimator reads per (model, task) aggregates. */
export class FeedbackRepo {
  private readonly insert;
  private readonly aggregates;
  private readonly replaceOne;

  constructor(
    db: Db,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare<[string, string, number, string, string]>(
      'INSERT INTO feedback (model_id, task, score, source, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    // Only the aggregates (count, sum) are read, so replacing the latest equal score is replacing that observation.
    this.replaceOne = db.prepare<[number, string, string, string, string, number]>(
      `UPDATE feedback SET score = ?, created_at = ? WHERE rowid = (
         SELECT rowid FROM feedback WHERE model_id = ? AND task = ? AND source = ? AND score = ?
         ORDER BY rowid DESC LIMIT 1)`,
    );
    this.aggregates = db.prepare<[], FeedbackAggregate>(
      'SELECT model_id, task, COUNT(*) AS count, SUM(score) AS sum FROM feedback GROUP BY model_id, task',
    );
  }

  add(modelId: string, task: string, score: number, source: FeedbackSource): void {
    this.insert.run(modelId, task, score, source, this.now().toISOString());
  }

  /** Changes one earlier observation's score; false when there was none to change. */
  replace(modelId: string, task: string, source: FeedbackSource, from: number, to: number): boolean {
    return this.replaceOne.run(to, this.now().toISOString(), modelId, task, source, from).changes === 1;
  }

  all(): FeedbackAggregate[] {
    return this.aggregates.all();
  }
}
