// How far a finished run's answer can be trusted: a 0–1 confidence with its ingredients (the model's quality estimate
// for the task, the answer's quote checks when it has findings), and whether it is a low-confidence fallback — a model
// below the minimum quality that answered because better ones could not, which the writer must be told.
import type { Decision } from '../../src-preload/contract';
import type { AnswerKind } from '../../src-preload/contract/tasks';
import type { ConfidenceScore } from '../../src-preload/contract/tournaments';
import type { ChatMessage } from '../providers/spec';
import { confidence, historicalRate } from '../orchestrator/confidence';
import { MIN_QUALITY } from '../orchestrator/decide';
import { quoteShare } from '../tasks/quotes';
import type { RunWrite } from '../store/repos/runs-repo';
import type { RunServiceOptions } from './run-service-options';

export interface RunAssessment {
  confidence: ConfidenceScore;
  low_confidence_fallback: boolean;
}

/**
 * A model below the minimum quality is only ever chosen as the last step down (decide.ts's local last resort) or as
 * a fallback. That is a low-confidence fallback unless the writer chose that model (a forced run or their pack's
 * mapping) or asked for local models only. A member call (no decision) chose its model on purpose.
 */
export function isLowConfidenceFallback(decision: Decision | null, answeredBy: string, quality: number): boolean {
  if (!decision || quality >= MIN_QUALITY || decision.local_only) return false;
  const writersChoice = (decision.mode === 'forced' || decision.mode === 'pack') && decision.model_id === answeredBy;
  return !writersChoice;
}

export function assessRun(input: {
  decision: Decision | null;
  answeredBy: string;
  /** The answering model's quality estimate for the task, 0–10. */
  quality: number;
  json: unknown;
  messages: readonly ChatMessage[];
}): RunAssessment {
  const fallback = isLowConfidenceFallback(input.decision, input.answeredBy, input.quality);
  const text = input.messages.map((m) => m.content).join('\n');
  return {
    low_confidence_fallback: fallback,
    confidence: confidence({
      agreement: null,
      opposition: 0,
      quality: input.quality / 10,
      // A single run has no agreement record of its own: the neutral prior a tournament member starts from.
      history: historicalRate(0, 0),
      verifier: null,
      quotes: quoteShare(input.json, text),
      low_confidence_fallback: fallback,
    }),
  };
}

/**
 * The answers a confidence is about: claims about the writer's text, checked against it (its quotes found, another
 * model agreeing). Ideas, a draft, edits the writer accepts one by one, or a route have no right answer for a figure
 * to measure: "42%" beside a brainstorm would only mislead.
 */
const CHECKED: ReadonlySet<AnswerKind> = new Set(['findings', 'summary']);

/**
 * The run's confidence (null for a task whose answer is not checked: CHECKED) and low-confidence-fallback flag, put on
 * its row before it is stored as completed.
 */
export function assessAnswer(
  o: Pick<RunServiceOptions, 'quality' | 'model' | 'library'>,
  decision: Decision | null,
  task: string,
  answeredBy: string,
  json: unknown,
  messages: readonly ChatMessage[],
): Pick<RunWrite, 'confidence' | 'low_confidence_fallback'> {
  const quality = o.quality?.(answeredBy, task) ?? o.model(answeredBy)?.quality ?? 0;
  const { confidence, low_confidence_fallback } = assessRun({ decision, answeredBy, quality, json, messages });
  const kind = o.library?.get(task)?.answer;
  return { confidence: kind === undefined || CHECKED.has(kind) ? confidence : null, low_confidence_fallback };
}
