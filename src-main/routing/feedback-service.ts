// Ratings, tournament outcomes and agreement scores per (model, task); selection reads the shrinkage estimates.
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { lookupFrom, statsKey, type FeedbackStats, type QualityLookup } from '../orchestrator/quality';
import type { FeedbackRepo } from '../store/repos/feedback-repo';

export const feedbackSchema = z.strictObject({
  model_id: z.string().min(1).max(200),
  task: z.string().min(1).max(100),
  score: z.number().finite().min(0).max(10),
  source: z.enum(['rating', 'tournament', 'agreement']),
});
export type Feedback = z.infer<typeof feedbackSchema>;

export class FeedbackService {
  private stats: Map<string, FeedbackStats> | null = null;
  private lookup: QualityLookup | null = null;

  constructor(private readonly repo: FeedbackRepo) {}

  /** Scores are 0–10 (a 1–5 star rating should be scaled by the caller: stars × 2). */
  record(feedback: Feedback): void {
    const parsed = feedbackSchema.safeParse(feedback);
    if (!parsed.success) throw InvalidInputError.fromZod(parsed.error);
    this.repo.add(parsed.data.model_id, parsed.data.task, parsed.data.score, parsed.data.source);
    this.stats = null;
    this.lookup = null;
  }

  /**
   * A changed verdict replaces the earlier observation instead of adding one: a writer who re-rates a run three times
   * has still rated it once. With no earlier observation on record, it is recorded.
   */
  replace(feedback: Feedback, previousScore: number): void {
    const parsed = feedbackSchema.safeParse(feedback);
    if (!parsed.success) throw InvalidInputError.fromZod(parsed.error);
    const { model_id, task, score, source } = parsed.data;
    if (!this.repo.replace(model_id, task, source, previousScore, score)) this.repo.add(model_id, task, score, source);
    this.stats = null;
    this.lookup = null;
  }

  statsFor(modelId: string, task: string): FeedbackStats | undefined {
    return this.table().get(statsKey(modelId, task));
  }

  /** The quality estimator selection uses. */
  quality(): QualityLookup {
    if (!this.lookup) this.lookup = lookupFrom(this.table());
    return this.lookup;
  }

  private table(): Map<string, FeedbackStats> {
    if (!this.stats) {
      this.stats = new Map();
      for (const row of this.repo.all())
        this.stats.set(statsKey(row.model_id, row.task), { count: row.count, sum: row.sum });
    }
    return this.stats;
  }
}
