import { describe, expect, it } from 'vitest';
import type { RunAttempt } from '$contract/runs';
import {
  cutOffCall,
  refusedBeforeAnyCall,
  cutOffText,
  confidenceText,
  INTERRUPTED_IN_PARTS_HINT,
  LOW_CONFIDENCE_HINT,
  partsStoppedText,
  runStatusView,
  stopCostHint,
} from './run-status';

describe('run status as shown', () => {
  it('never shows a low-confidence fallback as a plain completed run', () => {
    expect(runStatusView({ status: 'completed', low_confidence_fallback: true })).toEqual({
      label: 'low-confidence fallback',
      tone: 'low-confidence',
      hint: LOW_CONFIDENCE_HINT,
    });
    expect(runStatusView({ status: 'completed', low_confidence_fallback: false })).toMatchObject({
      label: 'completed',
      tone: 'completed',
      hint: null,
    });
    expect(runStatusView({ status: 'interrupted' }).hint).toMatch(/Quire stopped.*Run it again\.$/);
  });

  it('a run in parts cut off by a crash keeps its parts: its hint does not say to run it again', () => {
    expect(runStatusView({ status: 'interrupted', resume: { parts_done: 2, parts: 7 } })).toEqual({
      label: 'interrupted',
      tone: 'interrupted',
      hint: INTERRUPTED_IN_PARTS_HINT,
    });
    expect(INTERRUPTED_IN_PARTS_HINT).not.toMatch(/Run it again/);
  });

  it('reads a confidence with its ingredients', () => {
    expect(confidenceText({ confidence: null })).toBeNull();
    expect(confidenceText({ confidence: 0.4213, confidence_ingredients: { quality: 0.9, quotes: 0.5 } })).toBe(
      '42% (model quality 90%, 50% of quotes found)',
    );
    // One model answered: nothing cross-checked it, which is why a good model's answer reads at half.
    expect(
      confidenceText({ confidence: 0.42, confidence_ingredients: { quality: 0.9, quotes: 1, agreement: null } }),
    ).toBe('42% (one model, not cross-checked by another; model quality 90%, 100% of quotes found)');
  });

  it('a stop that kept the most the call in flight could cost says why, so the charge is no surprise', () => {
    const attempt = (over: Partial<RunAttempt>): RunAttempt => ({
      model_id: 'm',
      provider: 'openai',
      outcome: 'failed',
      error: { code: 'cancelled', message: 'Stopped' },
      cost_usd: 0.004,
      latency_ms: 900,
      ...over,
    });
    const kept = {
      status: 'cancelled' as const,
      attempts: [attempt({ outcome: 'ok', error: null }), attempt({ charged_most: true })],
    };
    expect(stopCostHint(kept)).toBe(
      'Stop kept the most the call in flight could cost ($0.004): the model already had the request, and a provider ' +
        'bills a request once it has it. Quire never counts less than a provider may charge.',
    );
    // Charged by what arrived: the cost beside "Tokens in / out: not reported" says what it counted.
    expect(stopCostHint({ status: 'cancelled', attempts: [attempt({ cost_usd: 0.000412 })] })).toBe(
      'Stop kept what had arrived and charged $0.0004: the request and the words that had arrived, as Quire counts ' +
        'them (a provider sends no counts for an answer cut short).',
    );
    // Stopped before the request left, or on a model on this Mac: said, as a charge would be.
    expect(stopCostHint({ status: 'cancelled', attempts: [attempt({ cost_usd: 0 })] })).toBe(
      'Stop charged nothing for this run.',
    );
    // A run that was not stopped: nothing to explain.
    expect(stopCostHint({ status: 'failed', attempts: [attempt({ charged_most: true, error: null })] })).toBeNull();
  });

  it('a call that failed and was counted at its most says why, so its cost beside the tokens is no surprise', () => {
    // A part of a run in parts sent nothing in time: "$0.0204" beside "6,000 / 400" tokens, and nothing said why.
    const attempt = (over: Partial<RunAttempt>): RunAttempt => ({
      model_id: 'm',
      provider: 'endpoint:fake',
      outcome: 'ok',
      error: null,
      cost_usd: 0.0038,
      latency_ms: 200,
      ...over,
    });
    const silent = attempt({
      outcome: 'failed',
      error: { code: 'timeout', message: 'Small Cloud sent nothing within 4 s' },
      cost_usd: 0.012841,
      charged_most: true,
    });
    const text =
      'A call that failed was counted at the most it could cost ($0.0128): the model already had the request and ' +
      'never said what it used, and a provider bills a request once it has it. Quire never counts less than a ' +
      'provider may charge.';
    expect(stopCostHint({ status: 'failed', attempts: [attempt({}), attempt({}), silent] })).toBe(text);
    // Answered by a fallback after it: the same charge, the same words.
    expect(stopCostHint({ status: 'completed', attempts: [silent, attempt({})] })).toBe(text);
    // Failed without a charge at its most (refused before it was sent, say): nothing to explain.
    const { charged_most: _most, ...refused } = silent;
    expect(stopCostHint({ status: 'failed', attempts: [{ ...refused, cost_usd: 0 }] })).toBeNull();
  });
});

describe('a run in parts that ended before its last part, as the Workbench says it', () => {
  it('says a failed run failed, not that it was stopped, and what the parts before it found is kept', () => {
    // A part that failed (the model sent nothing in time) read "Stopped at part 3 of 19." under "Failed".
    expect(partsStoppedText('failed', 3, 19)).toBe(
      'This run failed at part 3 of 19. What parts 1–2 found is below, and kept.',
    );
    expect(partsStoppedText('cancelled', 3, 19)).toBe(
      'Stopped at part 3 of 19. What parts 1–2 found is below, and kept.',
    );
    expect(partsStoppedText('cancelled', 2, 19)).toBe('Stopped at part 2 of 19. What part 1 found is below, and kept.');
    expect(partsStoppedText('failed', 1, 19)).toBe('This run failed at part 1 of 19.');
  });
});

/** A call to the fake writer that failed, for `error`'s reason. */
function failedCall(error: RunAttempt['error'], more: Partial<RunAttempt> = {}): RunAttempt {
  return { model_id: 'fake/writer', provider: 'fake', outcome: 'failed', error, cost_usd: 0, latency_ms: 3, ...more };
}

describe('an answer cut off part-way', () => {
  const cut = failedCall(
    { code: 'provider_error', message: 'The connection to your endpoint “fake” was cut off mid-answer.' },
    { cost_usd: 0.0013, latency_ms: 98, charged_most: true },
  );

  it('is the call that broke after words arrived, counted at its most', () => {
    expect(cutOffCall({ status: 'failed', text: 'The storm took the boats', attempts: [cut] })).toBe(cut);
  });

  it('is not a failure before any word, a stop, or an answer that came whole and could not be read', () => {
    expect(cutOffCall({ status: 'failed', text: '', attempts: [cut] })).toBeNull();
    expect(cutOffCall({ status: 'cancelled', text: 'The storm', attempts: [cut] })).toBeNull();
    const stopped = { ...cut, error: { code: 'cancelled', message: 'Stopped.' } };
    expect(cutOffCall({ status: 'failed', text: 'The storm', attempts: [stopped] })).toBeNull();
    const unreadable: RunAttempt = { ...cut, error: { code: 'invalid_answer', message: 'Not JSON.' } };
    delete unreadable.charged_most;
    expect(cutOffCall({ status: 'failed', text: '{"ideas": [', attempts: [unreadable] })).toBeNull();
  });

  it('says the words stay and what the run cost', () => {
    expect(cutOffText('DeepSeek V3.2', 0.0013)).toBe(
      'DeepSeek V3.2’s answer was cut off before it finished: the connection broke mid-answer. The words that ' +
        'arrived are kept below. This run cost $0.0013 — the most the call could cost, as a provider may bill what ' +
        'it had written. Run it again for a whole answer.',
    );
  });
});

describe('a run refused before any model was called', () => {
  it('points to the card above Run, not to the network', () => {
    expect(refusedBeforeAnyCall({ code: 'unavailable' }, { attempts: [] })).toBe(
      'Nothing was sent to any model. “Before you run” above says what to set up or change for this task.',
    );
  });

  it('leaves every other failure to its own step', () => {
    const called = failedCall({ code: 'unavailable', message: 'The connection was refused.' });
    expect(refusedBeforeAnyCall({ code: 'unavailable' }, { attempts: [called] })).toBeNull();
    expect(refusedBeforeAnyCall({ code: 'unavailable', advised: true }, { attempts: [] })).toBeNull();
    expect(refusedBeforeAnyCall({ code: 'budget_exceeded' }, { attempts: [] })).toBeNull();
    expect(refusedBeforeAnyCall({ code: 'unavailable' }, null)).toBeNull();
  });
});
