// Who chose a call's model: Quire's routing, or the writer (or an app of theirs). "What routing was worth" credits
// routing only with the calls whose model it chose (routing-value.ts); the ledger records it per call.
import type { Decision } from '../../src-preload/contract';

export type ChosenBy = 'quire' | 'writer';

/**
 * Who chose `modelId` for a call of a run decided as `decision`: the writer when it is the model they named (the
 * Workbench's Model menu, a model an app names through the gateway) or the one their pack maps the task to with
 * automatic selection off; Quire for its own pick, and for any model it called instead of the writer's (a pack's
 * stand-in, a fallback after the writer's model failed).
 */
export function chosenBy(decision: Pick<Decision, 'mode' | 'model_id' | 'stand_in'>, modelId: string): ChosenBy {
  return decision.mode !== 'orchestrator' && decision.stand_in !== true && modelId === decision.model_id
    ? 'writer'
    : 'quire';
}
