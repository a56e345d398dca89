// First-token deadlines as a RunService starts with them: seeded with the times to first token of the latest stored
// runs, so a restart keeps each model's learned pace (first-token-deadline.ts) instead of starting from the prior.
import type { RunServiceOptions } from './run-service-options';
import { FirstTokenDeadlines } from './first-token-deadline';

/** Stored runs read at start-up to seed each model's first-token pace. */
const DEADLINE_SEED_RUNS = 200;

/** First-token deadlines, seeded with the times to first token of the latest stored runs. */
export function learnedDeadlines(
  o: Pick<RunServiceOptions, 'firstTokenTimeoutMs' | 'settings' | 'repo'>,
): FirstTokenDeadlines {
  const floor = o.firstTokenTimeoutMs;
  const deadlines = new FirstTokenDeadlines(() => floor ?? o.settings.get().runs.first_token_floor_s * 1000);
  const recent = o.repo.recentAttempts(DEADLINE_SEED_RUNS).reverse();
  for (const attempts of recent)
    for (const a of attempts)
      if (a.outcome === 'ok' && a.first_token_ms !== undefined && a.input_tokens !== undefined)
        deadlines.observe({
          modelId: a.model_id,
          inputTokens: a.input_tokens,
          firstTokenMs: a.first_token_ms,
          local: a.provider === 'local',
        });
  return deadlines;
}
