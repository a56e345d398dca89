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

  constructor(
    db: Db,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare<[string, string, number, string, string]>(
      'INSERT INTO feedback (model_id, task, score, source, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.aggregates = db.prepare<[], FeedbackAggregate>(
      'SELECT model_id, task, COUNT(*) AS count, SUM(score) AS sum FROM feedback GROUP BY model_id, task',
    );
  }

  add(modelId: string, task: string, score: number, source: FeedbackSource): void {
    this.insert.run(modelId, task, score, source, this.now().toISOString());
  }

  all(): FeedbackAggregate[] {
    return this.aggregates.all();
  }
}
