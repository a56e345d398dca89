import { describe, expect, it } from 'vitest';
import type { Candidate } from '$contract/orchestrator';
import { decision } from '../../../test/renderer/fixtures';
import { refusalAdvice } from './refusal-advice';

const candidate = (reasons: Candidate['reasons']): Candidate => ({
  model_id: 'm',
  display_name: 'M',
  provider: 'openai',
  local: false,
  quality: 8,
  estimate_usd: 0.01,
  rank: 1,
  status: 'rejected',
  reasons,
  why: '',
});

const refused = (code: 'unavailable' | 'budget_exceeded', candidates: Candidate[]) =>
  decision('line_edit', null, { refusal: { code, message: 'No.' }, candidates });

describe('refusalAdvice: the next step that actually fixes it', () => {
  it('a passage too long for a usable model is split, never "add an API key"', () => {
    const advice = refusalAdvice(refused('unavailable', [candidate(['context_too_small']), candidate(['no_key'])]));
    expect(advice?.next).toMatch(/chapter or a scene at a time/);
    expect(advice?.next).not.toMatch(/API key/);
  });

  it('nothing set up points at the setup, as information rather than an error', () => {
    expect(refusalAdvice(refused('unavailable', [candidate(['no_key'])]))).toMatchObject({
      kind: 'info',
      title: 'Set up a model to run this task',
    });
  });

  it('a spent budget is a warning about the budget; a decision that runs needs no advice', () => {
    expect(refusalAdvice(refused('budget_exceeded', []))?.kind).toBe('warning');
    expect(refusalAdvice(decision('line_edit', 'gpt'))).toBeNull();
  });
});
