import { describe, expect, it } from 'vitest';
import type { DecideRequest, Decision } from '../../src-preload/contract';
import { isQuireError } from '../errors';
import { usdText } from '../../src-preload/contract/usd-text';
import { decide } from './decide';
import { lookupFrom, shrinkageEstimate, statsKey } from './quality';
import { availability, inputs, localModel, model, seedRegistry } from '../../test/support/decision-fixtures';

const run = (request: DecideRequest, overrides: Parameters<typeof inputs>[0] = {}): Decision =>
  decide(request, inputs(overrides));

describe('seed 000 worked examples (budget tier)', () => {
  it.each([
    ['health_check_review', 'llama3.2'],
    ['theme_analysis', 'deepseek-chat'],
  ])('%s → %s', (task, expected) => {
    const d = run({ task, tier: 'budget' });
    expect(d.model_id).toBe(expected);
    expect(d.tier_used).toBe('budget');
    expect(d.refusal).toBeNull();
  });
});

describe('tiers', () => {
  it.each<[string, DecideRequest, string, string]>([
    ['budget: free local with the strength', { task: 'coordinator', tier: 'budget' }, 'llama3.2', 'budget'],
    [
      'budget: cheapest cloud when no local has it',
      { task: 'theme_analysis', tier: 'budget' },
      'deepseek-chat',
      'budget',
    ],
    ['balanced: local for simple coordination', { task: 'coordinator', tier: 'balanced' }, 'llama3.2', 'balanced'],
    [
      'balanced: strong cheap cloud for strategic work',
      { task: 'continuity_check', tier: 'balanced' },
      'deepseek-chat',
      'balanced',
    ],
    [
      'balanced: complexity 8 goes to the cloud',
      { task: 'health_check_review', tier: 'balanced', complexity: 8 },
      'deepseek-chat',
      'balanced',
    ],
    ['premium: highest quality', { task: 'theme_analysis', tier: 'premium' }, 'gpt-4o', 'premium'],
    ['premium: quality tie → cheaper', { task: 'health_check_review', tier: 'premium' }, 'gpt-4o', 'premium'],
    [
      'premium: continuity → Claude',
      { task: 'continuity_check', tier: 'premium' },
      'claude-3-5-sonnet-20241022',
      'premium',
    ],
  ])('%s', (_label, request, expected, tierUsed) => {
    const d = run(request);
    expect(d.model_id).toBe(expected);
    expect(d.tier_used).toBe(tierUsed);
  });

  it.each([
    [7, 'local-7'],
    [8, 'local-7'],
    [6.9, 'deepseek-chat'],
  ])(
    'balanced, medium complexity: a free local model within a point of the best-value cloud (quality %s) → %s',
    (quality, expected) => {
      const d = run(
        { task: 'continuity_check', tier: 'balanced', complexity: 6 },
        {
          registry: [
            ...seedRegistry(),
            localModel('local-7', 'medium', { quality, strengths: ['narrative_continuity'] }),
          ],
          availability: availability(['local-7']),
          quality: (id, _task, prior) => (id === 'deepseek-chat' ? 8 : prior),
        },
      );
      expect(d.model_id).toBe(expected);
    },
  );

  it('says what a model’s quality figure means: rated out of 10, not a bare “quality 9”', () => {
    // Settings' table and the Workbench read “(quality 9)”, a number with no scale a writer could know.
    expect(run({ task: 'theme_analysis', tier: 'premium' }).reason).toMatch(
      /^Best: gpt-4o has the highest quality available for .+ \(rated \d+(\.\d+)? out of 10\)\.$/,
    );
    expect(run({ task: 'theme_analysis', tier: 'balanced' }).reason).toMatch(/\(rated \d+(\.\d+)? out of 10, about \$/);
  });

  it('says why a free local model is good enough in words, not by a “complexity 4” a writer never sees', () => {
    // Settings' table read “Balanced: Gemma 3 4B Instruct (rated 6 out of 10) is free and good enough for complexity 4.”
    const simple = run({ task: 'coordinator', tier: 'balanced' });
    expect(simple.model_id).toBe('llama3.2');
    expect(simple.reason).toMatch(/ is free and good enough for .+, a simple task\.$/);
    const medium = run(
      { task: 'continuity_check', tier: 'balanced', complexity: 6 },
      {
        registry: [
          ...seedRegistry(),
          localModel('local-7', 'medium', { quality: 7, strengths: ['narrative_continuity'] }),
        ],
        availability: availability(['local-7']),
        quality: (id, _task, prior) => (id === 'deepseek-chat' ? 8 : prior),
      },
    );
    expect(medium.model_id).toBe('local-7');
    expect(medium.reason).toMatch(/ is free and good enough for .+, a task of medium difficulty\.$/);
    for (const reason of [simple.reason, medium.reason]) expect(reason).not.toMatch(/complexity/);
  });

  it('uses the settings tier when the request names none', () => {
    expect(run({ task: 'theme_analysis' }, { orchestrator: { quality_tier: 'premium' } }).model_id).toBe('gpt-4o');
  });
});

describe('prefer_local', () => {
  const withStrongLocal = (quality: number) => ({
    registry: [...seedRegistry(), localModel('big-local', 'medium', { quality, strengths: ['semantic_reasoning'] })],
    availability: availability(['mistral-7b', 'llama3.2', 'big-local']),
  });
  it.each([
    [9.5, true, 'big-local'],
    [9, true, 'big-local'],
    [8.9, true, 'gpt-4o'],
    [9.5, false, 'gpt-4o'],
  ])('local quality %s, prefer_local %s → %s', (quality, prefer, expected) => {
    const d = run(
      { task: 'health_check_review', tier: 'premium' },
      { ...withStrongLocal(quality), orchestrator: { prefer_local: prefer } },
    );
    expect(d.model_id).toBe(expected);
  });
});

describe('availability', () => {
  it('a provider without a key is skipped, with the reason', () => {
    const d = run(
      { task: 'theme_analysis', tier: 'premium' },
      { availability: availability(['llama3.2'], ['deepseek']) },
    );
    expect(d.model_id).toBe('deepseek-chat');
    const gpt4o = d.candidates.find((c) => c.model_id === 'gpt-4o')!;
    expect(gpt4o.reasons).toContain('no_key');
    expect(gpt4o.status).toBe('rejected');
    const mistral = d.candidates.find((c) => c.model_id === 'mistral-7b')!;
    expect(mistral.reasons).toContain('not_downloaded');
  });

  it('all keys missing: a local model or nothing, never an error', () => {
    const d = run({ task: 'health_check_review', tier: 'premium' }, { availability: availability(['llama3.2'], []) });
    expect(d.model_id).toBe('llama3.2');
    const none = run({ task: 'theme_analysis', tier: 'premium' }, { availability: availability([], []) });
    expect(none.model_id).toBeNull();
    expect(none.refusal?.code).toBe('unavailable');
    // Nothing set up at all: said in one sentence, not as a count of every reason each registered model is out.
    expect(none.refusal?.message).toBe(
      'No model is set up yet, so nothing can do theme_analysis (no cloud model has an API key, and no local model is downloaded).',
    );
    const local = run(
      { task: 'theme_analysis', tier: 'premium', local_only: true },
      { availability: availability([], 'all') },
    );
    expect(local.refusal?.message).toBe(
      'No local model is downloaded yet, so nothing on this machine can do theme_analysis.',
    );
    // A key the writer did add (its provider's model retired) is not "no API key": the refusal names what is in the way.
    const keyed = run(
      { task: 'theme_analysis', tier: 'premium' },
      {
        registry: [
          model('old', { retired: '2025-10-22', strengths: ['thematic_analysis'] }),
          model('c', { provider: 'anthropic' }),
        ],
        availability: availability([], ['openai']),
      },
    );
    expect(keyed.refusal?.message).toBe(
      'None of the models you have set up can do theme_analysis. Retired by its provider: old.',
    );
  });

  it('names the models the writer has set up and why each cannot do the task, in plain words', () => {
    // A key for OpenAI only: its models are set up but not made for the task; Anthropic's only wait for a key.
    const registry = [
      model('a', { strengths: ['creative_generation'] }),
      model('b', { strengths: ['creative_generation'] }),
      model('c', { provider: 'anthropic', strengths: ['creative_generation'] }),
      model('tiny', { strengths: ['thematic_analysis'], context_window: 1000 }),
      model('old', { strengths: ['creative_generation'], retired: '2025-10-22', context_window: 1000 }),
    ];
    const none = run(
      { task: 'theme_analysis', tier: 'premium', input_tokens: 5000 },
      { registry, availability: availability([], ['openai']) },
    );
    expect(none.refusal?.message).toBe(
      // The fixture's tasks and models are named by their ids.
      'None of the models you have set up can do theme_analysis. Without an eye for theme: a and b. ' +
        'Context window too small: tiny. ' +
        'Retired by its provider, without an eye for theme, context window too small: old. ' +
        // Its 1,000 tokens cannot hold the 5,000 asked for even without an answer: only the passage can change.
        'A shorter passage may fit in tiny (this needs about 6,200 tokens with its answer; it reads 1,000 at once).',
    );
    // Many of one kind: the first few by name, then how many more.
    const many = Array.from({ length: 6 }, (_, i) => model(`m${i}`, { strengths: ['creative_generation'] }));
    const crowded = run(
      { task: 'theme_analysis', tier: 'premium' },
      { registry: many, availability: availability([], ['openai']) },
    );
    expect(crowded.refusal?.message).toBe(
      'None of the models you have set up can do theme_analysis. Without an eye for theme: m0, m1, m2 and 3 more.',
    );
  });

  it('a local model the last step down would take names only what keeps it out: its context, and what may fit', () => {
    // An imported model with a small context: below the minimum quality and without the strength, which only rank a
    // local model lower (the last step down takes it), so they are not why it cannot run; its context is.
    const registry = [
      localModel('small-ctx', 'small', { quality: 4, strengths: ['creative_generation'], context_window: 2048 }),
      model('prose', { strengths: ['thematic_analysis'], context_window: 2048 }),
    ];
    const d = run(
      { task: 'theme_analysis', tier: 'budget', input_tokens: 1300, max_output_tokens: 2000 },
      { registry, availability: availability(['small-ctx'], ['openai']) },
    );
    expect(d.refusal?.message).toBe(
      'None of the models you have set up can do theme_analysis. Context window too small: small-ctx and prose. ' +
        'A shorter passage, or a shorter answer than the 2,000 tokens now allowed, may fit in small-ctx and prose ' +
        '(this needs about 3,300 tokens with its answer; they read 2,048 at once).',
    );
    // With a shorter answer it runs on the local model (kept on this machine), as the words said.
    expect(
      run(
        { task: 'theme_analysis', tier: 'budget', input_tokens: 1300, max_output_tokens: 500, local_only: true },
        { registry, availability: availability(['small-ctx'], ['openai']) },
      ).model_id,
    ).toBe('small-ctx');
    // A cloud model without the strength is kept out by that too: no promise that a shorter answer fits it.
    const cloud = run(
      { task: 'theme_analysis', tier: 'budget', input_tokens: 1300, max_output_tokens: 2000 },
      {
        registry: [model('plain', { strengths: ['creative_generation'], context_window: 2048 })],
        availability: availability([], ['openai']),
      },
    );
    expect(cloud.refusal?.message).toBe(
      'None of the models you have set up can do theme_analysis. Without an eye for theme, context window too small: plain.',
    );
  });

  it('an empty registry refuses with a reason', () => {
    const d = run({ task: 'coordinator' }, { registry: [] });
    expect(d.model_id).toBeNull();
    expect(d.refusal).toEqual({ code: 'unavailable', message: expect.stringMatching(/No models are registered/) });
    expect(d.candidates).toEqual([]);
    expect(d.fallback_chain).toEqual([]);
  });

  it('a model the caller excludes (open breaker) is skipped', () => {
    const d = run({ task: 'theme_analysis', tier: 'budget', exclude: ['deepseek-chat'] });
    expect(d.model_id).toBe('gpt-4o');
    expect(d.candidates.find((c) => c.model_id === 'deepseek-chat')?.reasons).toEqual(['excluded']);
  });

  it('a context window too small for the call is skipped', () => {
    const d = run({ task: 'theme_analysis', tier: 'budget', input_tokens: 200_000 });
    expect(d.model_id).not.toBe('deepseek-chat');
    expect(d.candidates.find((c) => c.model_id === 'deepseek-chat')?.reasons).toContain('context_too_small');
  });
});

describe("a local model whose context holds the request only with a shorter answer than the task's", () => {
  // llama3.2's context (as the fixtures give it) less a request that leaves less than the 2,000-token answer asked.
  const context = (id: string) => seedRegistry().find((m) => m.id === id)!.context_window;
  const tight = {
    task: 'health_check_review',
    input_tokens: context('llama3.2') - 1000,
    max_output_tokens: 2000,
  } as const;

  it('is chosen when the writer picked it for a library task, its answer to be shortened in the run', () => {
    const d = run({ ...tight, model: 'llama3.2', shorten_local_answer: true });
    expect(d.refusal).toBeNull();
    expect(d.model_id).toBe('llama3.2');
  });

  it('is not chosen below the floor, nor by Quire itself, nor for a request that may not shorten it', () => {
    const past = run({
      ...tight,
      input_tokens: context('llama3.2') - 100,
      model: 'llama3.2',
      shorten_local_answer: true,
    });
    expect(past.candidates.find((c) => c.model_id === 'llama3.2')?.reasons).toContain('context_too_small');
    expect(run({ ...tight, model: 'llama3.2' }).refusal).not.toBeNull();
    const auto = run({ ...tight, local_only: true, shorten_local_answer: true });
    expect(auto.candidates.find((c) => c.model_id === 'llama3.2')?.reasons).toContain('context_too_small');
  });
});

describe('privacy: force_local and local-only', () => {
  it.each<[string, DecideRequest, Parameters<typeof inputs>[0]]>([
    ['force_local setting', { task: 'health_check_review', tier: 'premium' }, { orchestrator: { force_local: true } }],
    ['local_only request', { task: 'health_check_review', tier: 'premium', local_only: true }, {}],
    ['task that may not leave the machine', { task: 'private_notes_review', tier: 'premium' }, {}],
  ])('%s → local, every cloud candidate marked local_only', (_label, request, overrides) => {
    const d = run(request, overrides);
    expect(d.local_only).toBe(true);
    expect(d.model_id).toBe('llama3.2');
    for (const c of d.candidates.filter((c) => !c.local)) expect(c.reasons).toContain('local_only');
    expect(d.fallback_chain.every((id) => id === 'llama3.2' || id === 'mistral-7b')).toBe(true);
  });

  it('local-only with nothing installed refuses rather than going to the cloud', () => {
    const d = run({ task: 'theme_analysis', local_only: true }, { availability: availability([]) });
    expect(d.model_id).toBeNull();
    expect(d.refusal?.code).toBe('unavailable');
    expect(d.refusal?.message).toMatch(/on this machine/);
  });
});

describe('complexity routing among local models (seed 002)', () => {
  const registry = [
    localModel('small-one', 'small', { quality: 6 }),
    localModel('medium-one', 'medium', { quality: 7 }),
    localModel('large-one', 'large', { quality: 8 }),
  ];
  const avail = availability(['small-one', 'medium-one', 'large-one']);
  it.each([
    [1, 'small-one'],
    [4, 'small-one'],
    [5, 'medium-one'],
    [7, 'medium-one'],
    [8, 'large-one'],
    [10, 'large-one'],
  ])('complexity %i → %s', (complexity, expected) => {
    expect(run({ task: 'coordinator', tier: 'budget', complexity }, { registry, availability: avail }).model_id).toBe(
      expected,
    );
  });

  it("the task's own complexity applies when the request gives none", () => {
    // coordinator is complexity 3
    const d = run({ task: 'coordinator', tier: 'budget' }, { registry, availability: avail });
    expect(d.model_id).toBe('small-one');
    expect(d.complexity).toBe(3);
  });
});

describe('monthly budget: step down, then refuse', () => {
  const premiumTheme: DecideRequest = { task: 'theme_analysis', tier: 'premium' };
  it.each<[string, number, number, string | null, string | null]>([
    ['plenty left', 10, 0, 'gpt-4o', 'premium'],
    ['premium too dear → balanced', 0.01, 0, 'deepseek-chat', 'balanced'],
    ['only local fits', 0.001, 0, 'mistral-7b', 'local'],
    ['budget exactly used up', 5, 5, 'mistral-7b', 'local'],
    ['exactly the cost left', 0.032 + 1, 1, 'gpt-4o', 'premium'],
  ])('%s', (_label, budget, spent, expected, tierUsed) => {
    const d = run(premiumTheme, {
      orchestrator: { monthly_budget: budget },
      spend: { month: '2026-11', spent_usd: spent, reserved_usd: 0 },
    });
    expect(d.model_id).toBe(expected);
    expect(d.tier_used).toBe(tierUsed);
    if (tierUsed !== 'premium')
      expect(d.reason).toMatch(
        / To stay within the \$[\d.]+ left this month, Quire passed over Best \(gpt-4o, about \$/,
      );
    if (tierUsed === 'local')
      expect(d.reason).toMatch(
        /Best \(gpt-4o, .+\), Balanced \(deepseek-chat, .+\) and Lowest cost \(deepseek-chat, .+\)\.$/,
      );
  });

  it('reserved amounts count against what is left', () => {
    const d = run(premiumTheme, {
      orchestrator: { monthly_budget: 0.04 },
      spend: { month: '2026-11', spent_usd: 0, reserved_usd: 0.02 },
    });
    expect(d.model_id).toBe('deepseek-chat');
    expect(d.remaining_usd).toBeCloseTo(0.02);
  });

  it('refuses with budget_exceeded when nothing affordable remains', () => {
    const d = run(premiumTheme, {
      orchestrator: { monthly_budget: 1 },
      spend: { month: '2026-11', spent_usd: 1, reserved_usd: 0 },
      availability: availability([]),
    });
    expect(d.model_id).toBeNull();
    expect(d.tier_used).toBeNull();
    expect(d.refusal?.code).toBe('budget_exceeded');
    expect(d.candidates.find((c) => c.model_id === 'deepseek-chat')?.reasons).toEqual(['over_budget']);
    // What is left is never shown as more than it is: $0.000951 left reads "$0.0009", not "$0.001".
    const nearly = run(premiumTheme, {
      orchestrator: { monthly_budget: 2 },
      spend: { month: '2026-11', spent_usd: 1.999049, reserved_usd: 0 },
      availability: availability([]),
    });
    expect(nearly.refusal?.message).toMatch(/: \$0\.0009 is left of this month's \$2\.00 budget/);
  });
});

describe('orchestrator disabled: the active pack decides', () => {
  const pack = { name: 'mine', tasks: { theme_analysis: 'gpt-4o', coordinator: 'qwen-turbo' } };
  it('uses the pack mapping', () => {
    const d = run({ task: 'theme_analysis' }, { orchestrator: { enabled: false }, pack });
    expect(d).toMatchObject({ mode: 'pack', pack: 'mine', model_id: 'gpt-4o' });
    expect(d.stand_in).toBeUndefined();
    expect(d.candidates.find((c) => c.model_id === 'deepseek-chat')?.reasons).toEqual(['not_in_pack']);
  });

  it('a pack model without a key falls back to a local model, saying why', () => {
    const d = run(
      { task: 'theme_analysis' },
      { orchestrator: { enabled: false }, pack, availability: availability(['mistral-7b'], ['deepseek']) },
    );
    expect(d).toMatchObject({ mode: 'pack', model_id: 'mistral-7b', tier_used: 'local', stand_in: true });
    expect(d.reason).toMatch(
      /gpt-4o, which cannot run: Quire has no OpenAI key; using the local model mistral-7b instead\.$/,
    );
  });

  it('over budget with no local model refuses', () => {
    const d = run(
      { task: 'theme_analysis' },
      { orchestrator: { enabled: false, monthly_budget: 0.001 }, pack, availability: availability([]) },
    );
    expect(d.refusal?.code).toBe('budget_exceeded');
  });

  it('names the pack by its display name, and a model that is gone by what the writer knew, not by its id', () => {
    const named = { ...pack, display_name: 'My pack' };
    expect(run({ task: 'theme_analysis' }, { orchestrator: { enabled: false }, pack: named })).toMatchObject({
      pack: 'My pack',
    });
    const gone = (model: string) =>
      run(
        { task: 'theme_analysis' },
        {
          orchestrator: { enabled: false },
          pack: { ...named, tasks: { ...named.tasks, theme_analysis: model } },
          availability: availability([]),
        },
      ).reason;
    const change =
      ' Change what your pack maps it to in Settings → AI Intelligence → Model packs, or pick a model yourself.';
    expect(gone('fake/atlas')).toBe(
      `Your pack “My pack” maps theme_analysis to “atlas” from your endpoint “fake”, which is no longer set up in Quire.${change}`,
    );
    expect(gone('local:story-fixture')).toBe(
      `Your pack “My pack” maps theme_analysis to the local model “story-fixture”, which is no longer on this Mac.${change}`,
    );
    expect(run({ task: 'coordinator', model: 'local:story-fixture' }).reason).toBe(
      'The model you picked, the local model “story-fixture”, is no longer on this Mac. Pick another model.',
    );
  });

  it('a pack cannot send local-only work to the cloud', () => {
    const d = run({ task: 'coordinator', local_only: true }, { orchestrator: { enabled: false }, pack });
    expect(d.model_id).toBe('llama3.2');
  });
});

describe('forced model', () => {
  it('asked for more answer than it writes: weighed at its own max output, not refused as too long', () => {
    // 128,000 tokens of context, 16,384 of output: an answer of 200,000 is one it can never write, not one it cannot
    // hold. It was refused as "too long" (the figure counted against its context) and priced at 200,000 tokens.
    const registry = [model('gpt', { strengths: ['thematic_analysis'], max_output_tokens: 16_384, price: [1, 8] })];
    const d = run(
      { task: 'theme_analysis', model: 'gpt', input_tokens: 1_000, max_output_tokens: 200_000 },
      { registry, availability: availability([], ['openai']) },
    );
    expect(d.refusal).toBeNull();
    expect(d.model_id).toBe('gpt');
    expect(d.estimate_usd).toBeCloseTo((1_000 * 1 + 16_384 * 8) / 1e6, 4);
  });

  it('is used when available', () => {
    expect(run({ task: 'coordinator', model: 'qwen-plus' })).toMatchObject({ mode: 'forced', model_id: 'qwen-plus' });
  });
  it('is refused when it has no key', () => {
    const d = run({ task: 'coordinator', model: 'qwen-plus' }, { availability: availability([], ['openai']) });
    expect(d.refusal?.code).toBe('unavailable');
    expect(d.refusal?.message).toMatch(/Quire has no Qwen \(Alibaba DashScope\) key/);
  });
  it('is refused when not in the registry', () => {
    expect(run({ task: 'coordinator', model: 'nope' }).refusal).toEqual({
      code: 'unavailable',
      message: 'The model you picked, “nope”, is not a model Quire knows. Pick another model.',
      advised: true,
    });
  });
  it('says the actual reason and the step that fixes it, marked advised: no general step is added', () => {
    const noKey = run({ task: 'coordinator', model: 'qwen-plus' }, { availability: availability([], ['openai']) });
    expect(noKey.refusal).toEqual({
      code: 'unavailable',
      message:
        'The model you picked, qwen-plus, cannot run: Quire has no Qwen (Alibaba DashScope) key. Add a Qwen (Alibaba DashScope) key in Settings → AI Intelligence.',
      advised: true,
    });
    // Left out for this call: its provider's breaker is open (run-decision.ts), so it is tried again shortly.
    const paused = run({ task: 'coordinator', model: 'qwen-plus', exclude: ['qwen-plus'] });
    expect(paused.refusal).toEqual({
      code: 'unavailable',
      message:
        'The model you picked, qwen-plus, cannot run right now: Quire paused Qwen (Alibaba DashScope) after repeated errors. It tries it again within a minute: run this again then, or pick another model.',
      advised: true,
    });
    expect(paused.refusal?.message).not.toMatch(/excluded|e\.g\.|unusable/);
    const tooLong = run({ task: 'coordinator', model: 'qwen-plus', input_tokens: 10_000_000 });
    expect(tooLong.refusal?.message).toBe(
      'The model you picked, qwen-plus, cannot run: this passage and its answer are too long for it (this needs about 10,000,300 tokens with its answer; it reads 128,000 at once). Shorten the passage or the answer, or pick a model that reads more at once.',
    );
    const notHere = run({ task: 'coordinator', model: 'mistral-7b' }, { availability: availability([]) });
    expect(notHere.refusal).toMatchObject({
      message:
        'The model you picked, mistral-7b, cannot run: it is not downloaded. Download it on the Models screen, or pick another model.',
      advised: true,
    });
  });
});

describe('a model the writer picked costs more than the budget has left', () => {
  const theme = (model: string) => ({ task: 'theme_analysis', model });
  const cost = (d: Decision) => usdText(d.estimate_usd);

  it('says its cost against what is left, then the steps that work now, marked advised', () => {
    // Two local models installed and "Let Quire choose" within budget: the writer read "The monthly budget is used up
    // for this task … turn on local-only, or download a local model".
    const left = { orchestrator: { monthly_budget: 0.01 } };
    const auto = run({ task: 'theme_analysis' }, left);
    expect(auto.model_id).toBe('deepseek-chat');
    const gpt = run(theme('gpt-4o'), left).refusal;
    expect(gpt).toEqual({
      code: 'budget_exceeded',
      message:
        'The model you picked, gpt-4o, would cost about $0.032, more than the $0.01 left this month. Let Quire ' +
        `choose: it would use deepseek-chat, about ${cost(auto)}. Or pick mistral-7b, which runs on this Mac for ` +
        'free, or raise the monthly budget in Settings.',
      advised: true,
    });
    // Nothing in the cloud fits: the local model that can do it (Quire would choose it too), or a larger budget.
    const little = { orchestrator: { monthly_budget: 0.0001 } };
    expect(run(theme('gpt-4o'), little).refusal?.message).toMatch(
      /left this month\. Pick mistral-7b, which runs on this Mac for free, or raise the monthly budget in Settings\.$/,
    );
    // No local model installed: a download is the other way, and only then.
    const none = { ...little, availability: availability([]) };
    expect(run(theme('gpt-4o'), none).refusal?.message).toMatch(
      /left this month\. Raise the monthly budget in Settings, or download a local model on the Models screen\.$/,
    );
    const cloudOnly = { ...left, availability: availability([]) };
    expect(run(theme('gpt-4o'), cloudOnly).refusal?.message).toMatch(
      new RegExp(
        `Let Quire choose: it would use deepseek-chat, about \\${cost(auto)}\\. Or raise the monthly budget in Settings\\.$`,
      ),
    );
  });

  it("a pack's model says what automatic choice would use; Quire's own choice says what is left to do", () => {
    const pack = { name: 'mine', tasks: { theme_analysis: 'gpt-4o' } };
    const settings = { monthly_budget: 0.01 };
    const auto = run({ task: 'theme_analysis' }, { orchestrator: settings, availability: availability([]) });
    const packed = run(
      { task: 'theme_analysis' },
      { orchestrator: { ...settings, enabled: false }, pack, availability: availability([]) },
    );
    expect(packed.refusal).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(packed.refusal?.message).toMatch(
      new RegExp(
        'left this month\\. Turn on “Choose models automatically” in Settings → AI Intelligence: Quire would use ' +
          `deepseek-chat, about \\${cost(auto)}\\. Or raise the monthly budget in Settings\\.$`,
      ),
    );
    const spent = run(
      { task: 'theme_analysis', tier: 'premium' },
      {
        orchestrator: { monthly_budget: 1 },
        spend: { month: '2026-11', spent_usd: 1, reserved_usd: 0 },
        availability: availability([]),
      },
    );
    expect(spent.refusal).toMatchObject({ code: 'budget_exceeded', advised: true });
    expect(spent.refusal?.message).toMatch(
      /no free local model is installed for it\. Raise the monthly budget in Settings, or download a local model on the Models screen\.$/,
    );
  });
});

describe('ties', () => {
  it.each([
    [[model('b-model'), model('a-model')], 'a-model'],
    [[model('a-model', { legacy: true }), model('b-model')], 'b-model'],
  ])('identical candidates are ordered deterministically', (registry, expected) => {
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      expect(
        run(
          { task: 'continuity_check', tier },
          { registry: registry.map((m) => ({ ...m, strengths: ['narrative_continuity' as const] })) },
        ).model_id,
      ).toBe(expected);
    }
  });
});

describe('explanations and fallback chain', () => {
  it('ranks every candidate with a reason and ends the fallback chain with a local model', () => {
    const d = run({ task: 'theme_analysis', tier: 'premium' });
    expect(d.candidates).toHaveLength(8);
    expect(d.candidates[0]).toMatchObject({ model_id: 'gpt-4o', rank: 1, status: 'chosen', reasons: ['chosen'] });
    expect(d.candidates.map((c) => c.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(d.candidates.find((c) => c.model_id === 'deepseek-chat')).toMatchObject({
      status: 'eligible',
      reasons: ['ranked_lower'],
    });
    expect(d.candidates.find((c) => c.model_id === 'llama3.2')?.reasons).toContain('lacks_strength');
    expect(d.fallback_chain[0]).toBe('deepseek-chat');
    expect(d.fallback_chain.at(-1)).toBe('mistral-7b');
    expect(d.estimate_usd).toBeCloseTo(0.032, 6);
    for (const c of d.candidates) expect(c.why.length).toBeGreaterThan(0);
  });

  it('throws invalid_input for an unknown task', () => {
    try {
      run({ task: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect(isQuireError(error) && error.code).toBe('invalid_input');
      expect(isQuireError(error) && error.path).toBe('task');
    }
  });
});

describe('learning from feedback', () => {
  it('a handful of ratings barely moves the prior; many do', () => {
    expect(shrinkageEstimate(8, { count: 3, sum: 0 })).toBeCloseTo(6.96, 2);
    expect(shrinkageEstimate(8, { count: 200, sum: 400 })).toBeCloseTo(2.55, 2);
    expect(shrinkageEstimate(8, undefined)).toBe(8);
  });

  it('selection uses the estimate', () => {
    const poor = new Map([[statsKey('deepseek-chat', 'theme_analysis'), { count: 100, sum: 200 }]]);
    const d = run({ task: 'theme_analysis', tier: 'budget' }, { quality: lookupFrom(poor) });
    expect(d.model_id).toBe('gpt-4o');
    expect(d.candidates.find((c) => c.model_id === 'deepseek-chat')?.reasons).toContain('below_min_quality');
    const few = new Map([[statsKey('deepseek-chat', 'theme_analysis'), { count: 2, sum: 0 }]]);
    expect(run({ task: 'theme_analysis', tier: 'budget' }, { quality: lookupFrom(few) }).model_id).toBe(
      'deepseek-chat',
    );
  });
});

describe('retired models (the provider no longer serves them)', () => {
  const CLAUDE_35 = 'claude-3-5-sonnet-20241022';
  const retiredRegistry = () => seedRegistry().map((m) => (m.id === CLAUDE_35 ? { ...m, retired: '2025-10-22' } : m));

  it('are never chosen, even where they would rank first', () => {
    // Without retirement, premium continuity goes to Claude 3.5 Sonnet (see "tiers").
    const d = run({ task: 'continuity_check', tier: 'premium' }, { registry: retiredRegistry() });
    expect(d.model_id).not.toBe(CLAUDE_35);
    expect(d.model_id).not.toBeNull();
    expect(d.candidates.find((c) => c.model_id === CLAUDE_35)).toMatchObject({
      status: 'rejected',
      reasons: ['retired'],
      why: 'retired by its provider',
    });
  });

  it('are never put in a fallback chain, in any tier or task', () => {
    for (const tier of ['budget', 'balanced', 'premium'] as const) {
      for (const task of ['coordinator', 'health_check_review', 'theme_analysis', 'continuity_check']) {
        const d = run({ task, tier }, { registry: retiredRegistry() });
        expect(d.model_id).not.toBe(CLAUDE_35);
        expect(d.fallback_chain).not.toContain(CLAUDE_35);
      }
    }
  });

  it('cannot be forced, and a pack mapping to one falls back to a local model, saying why', () => {
    const forced = run({ task: 'continuity_check', model: CLAUDE_35 }, { registry: retiredRegistry() });
    expect(forced.refusal).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/retired by its provider/),
    });
    const pack = { name: 'old', tasks: { continuity_check: CLAUDE_35 } };
    const packed = run(
      { task: 'continuity_check' },
      { registry: retiredRegistry(), orchestrator: { enabled: false }, pack },
    );
    expect(packed).toMatchObject({ mode: 'pack', model_id: 'mistral-7b', tier_used: 'local' });
    expect(packed.reason).toMatch(/retired by its provider/);
  });
});
