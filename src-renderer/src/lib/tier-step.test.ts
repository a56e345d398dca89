import { describe, expect, it } from 'vitest';
import type { Candidate } from '$contract';
import { decision } from '../../../test/renderer/fixtures';
import { tierStepText } from './tier-step';

const passedOver = (reason: Candidate['reasons'][number]) =>
  ({ model_id: 'deepseek-chat', reasons: [reason] }) as unknown as Candidate;

describe('tierStepText', () => {
  const stepped = { mode: 'orchestrator', tier_requested: 'balanced', tier_used: 'local' } as const;

  it('says the budget only when the budget passed a model over', () => {
    const over = decision('line_edit', 'local:tiny', { ...stepped, candidates: [passedOver('over_budget')] });
    expect(tierStepText(over)).toBe(' → local models only to stay within the budget');
    // No key yet and no budget set: it used to say "to stay within the budget" too.
    const noKey = decision('line_edit', 'local:tiny', { ...stepped, candidates: [passedOver('no_key')] });
    expect(tierStepText(noKey)).toBe(' → local models only: no model of the Balanced tier is ready yet');
  });

  it('says the work stays here when it must, and nothing when the tier asked for ran', () => {
    expect(tierStepText(decision('line_edit', 'local:tiny', { ...stepped, local_only: true }))).toBe(
      ' → local models only: this work stays on this computer',
    );
    expect(tierStepText(decision('line_edit', 'm', { ...stepped, tier_used: 'balanced' }))).toBe('');
  });
});
