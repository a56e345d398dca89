import { describe, expect, it } from 'vitest';
import type { Candidate, PlannedPick } from '$contract/orchestrator';
import { decision } from '../../../test/renderer/fixtures';
import { refusalAdvice } from './refusal-advice';

const candidate = (reasons: Candidate['reasons'], name = 'M'): Candidate => ({
  model_id: name.toLowerCase(),
  display_name: name,
  provider: 'openai',
  local: false,
  quality: 8,
  estimate_usd: 0.01,
  rank: 1,
  status: reasons.includes('ranked_lower') ? 'eligible' : 'rejected',
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

  it('a model that cannot hold even the task’s instruction is no length to change: the message gives the step', () => {
    const small = { ...candidate(['context_too_small'], 'Small'), local: true };
    const advice = refusalAdvice(
      decision('continuity_check', null, {
        refusal: { code: 'unavailable', message: 'No.', advised: true, instruction_too_long: true },
        candidates: [small],
      }),
    );
    expect(advice).toEqual({
      kind: 'info',
      title: 'This task’s instruction alone is too long for the models you can use',
    });
  });

  it('an installed local model kept out by its context alone is a length to change, whatever its quality', () => {
    // Its strength and quality only rank a local model lower: the decision's last step down takes it when it fits.
    const small = { ...candidate(['lacks_strength', 'context_too_small', 'below_min_quality'], 'Small'), local: true };
    const advice = refusalAdvice(refused('unavailable', [small, candidate(['not_downloaded'])]));
    expect(advice).toMatchObject({
      title: 'This passage and its answer are too long for the models you can use',
      next: 'Pick a shorter answer length, or run it on a chapter or a scene at a time.',
    });
    // A cloud model without the strength is kept out by that too: setting up is the way on.
    const cloud = candidate(['lacks_strength', 'context_too_small'], 'Plain');
    expect(refusalAdvice(refused('unavailable', [cloud]))?.title).toBe('Set up a model to run this task');
  });

  it('nothing set up points at where a tier and a model are set up, as information rather than an error', () => {
    const advice = refusalAdvice(refused('unavailable', [candidate(['no_key'])]));
    expect(advice).toMatchObject({ kind: 'info', title: 'Set up a model to run this task' });
    // Only places that are always there: the welcome setup is gone once the writer closed it ("Not now").
    expect(advice?.next).toBe(
      'Pick a tier and add the key it asks for in Settings → AI Intelligence, or download a local model on the Models screen.',
    );
  });

  it('names the model the writer’s tier would run the task on once set up, and the one key or download it takes', () => {
    // A DeepSeek key alone: DeepSeek does not do line edits; Balanced's plan runs them on Claude through OpenRouter.
    const keyPick: PlannedPick = {
      model_id: 'openrouter/anthropic/claude-sonnet-4.6',
      estimate_usd: 0.036,
      ready: false,
      need: { kind: 'key', provider: 'openrouter', provider_name: 'OpenRouter', label: 'Add an OpenRouter key' },
      reason: '',
      over_budget: false,
    };
    const names = { modelName: 'Claude Sonnet 4.6 (via OpenRouter)', taskName: 'Line edit' };
    const nothing = { ...refused('unavailable', [candidate(['no_key'])]), tier_requested: 'balanced' as const };
    expect(refusalAdvice(nothing, { pick: keyPick, ...names })).toEqual({
      kind: 'info',
      title: 'Set up a model to run this task',
      next: 'Balanced would run Line edit on Claude Sonnet 4.6 (via OpenRouter) once you add an OpenRouter key in Settings → AI Intelligence.',
      go: 'settings',
    });
    // A small local model kept out by its length too: the shorter answer or text, or the model the tier would use.
    const small = { ...candidate(['context_too_small'], 'Small'), local: true };
    const tooLong = {
      ...refused('unavailable', [small, candidate(['lacks_strength'])]),
      tier_requested: 'balanced' as const,
    };
    expect(refusalAdvice(tooLong, { pick: keyPick, ...names })).toEqual({
      kind: 'info',
      title: 'This passage and its answer are too long for the models you can use',
      next:
        'Pick a shorter answer length, or run it on a chapter or a scene at a time. Or: Balanced would run Line edit ' +
        'on Claude Sonnet 4.6 (via OpenRouter) once you add an OpenRouter key in Settings → AI Intelligence.',
      go: 'settings',
    });
    const noRoom = {
      ...tooLong,
      refusal: {
        code: 'unavailable' as const,
        message: 'No.',
        advised: true as const,
        instruction_too_long: true as const,
      },
    };
    expect(refusalAdvice(noRoom, { pick: keyPick, ...names })).toEqual({
      kind: 'info',
      title: 'This task’s instruction alone is too long for the models you can use',
      next: 'Balanced would run Line edit on Claude Sonnet 4.6 (via OpenRouter) once you add an OpenRouter key in Settings → AI Intelligence.',
      go: 'settings',
    });
    const downloadPick: PlannedPick = {
      model_id: 'local:qwen2.5-7b',
      estimate_usd: 0,
      ready: false,
      need: {
        kind: 'download',
        catalog_id: 'qwen2.5-7b',
        display_name: 'Qwen2.5 7B Instruct (Q4_K_M)',
        size_bytes: 4_683_073_184,
        fit: 'fits',
        label: 'Download Qwen2.5 7B Instruct (Q4_K_M) — 4.7 GB, fits',
      },
      reason: '',
      over_budget: false,
    };
    const budget = { ...nothing, tier_requested: 'budget' as const };
    expect(
      refusalAdvice(budget, { pick: downloadPick, modelName: 'Qwen2.5 7B Instruct', taskName: 'Line edit' }),
    ).toEqual({
      kind: 'info',
      title: 'Set up a model to run this task',
      next: 'Lowest cost would run Line edit on Qwen2.5 7B Instruct once you download Qwen2.5 7B Instruct (Q4_K_M) — 4.7 GB, fits — on the Models screen.',
      go: 'models',
    });
    // A task that stays on this Mac is never sent to a key; a pick that is ready (or a pack's run) is not the fix.
    const general =
      'Pick a tier and add the key it asks for in Settings → AI Intelligence, or download a local model on the Models screen.';
    expect(refusalAdvice({ ...nothing, local_only: true }, { pick: keyPick, ...names })?.next).toBe(general);
    expect(refusalAdvice(nothing, { pick: { ...keyPick, ready: true, need: null }, ...names })?.next).toBe(general);
    expect(refusalAdvice({ ...nothing, mode: 'forced' }, { pick: keyPick, ...names })?.title).toBe(
      'The model you picked cannot run this task',
    );
  });

  it('a download the plan asks for that is under way says so, with its progress, not “download it”', () => {
    // The first run's “Free and private” download was going in the welcome while this card said to download it.
    const pick: PlannedPick = {
      model_id: 'local:story-helper',
      estimate_usd: 0,
      ready: false,
      need: {
        kind: 'download',
        catalog_id: 'story-helper',
        display_name: 'Story Helper 16K',
        size_bytes: 4_000_000_000,
        fit: 'fits',
        label: 'Download Story Helper 16K — 4 GB, fits',
      },
      reason: '',
      over_budget: false,
    };
    const names = { pick, modelName: 'Story Helper 16K', taskName: 'Line edit' };
    const nothing = { ...refused('unavailable', [candidate(['not_downloaded'])]), tier_requested: 'budget' as const };
    const going = {
      kind: 'downloading' as const,
      received: 1_800_000_000,
      total: 4_000_000_000,
      bytes_per_s: null,
      eta_s: null,
    };
    expect(refusalAdvice(nothing, { ...names, download: going })).toEqual({
      kind: 'info',
      title: 'Your model is downloading',
      next: 'Story Helper 16K is downloading (45 %, 1.8 GB of 4 GB). When it finishes, Line edit can run on it.',
      go: 'models',
    });
    const checking = { kind: 'checking' as const, received: 4_000_000_000, total: 4_000_000_000 };
    expect(refusalAdvice(nothing, { ...names, download: checking })?.next).toBe(
      'Story Helper 16K has downloaded and Quire is checking it. When that finishes, Line edit can run on it.',
    );
    const paused = { kind: 'paused' as const, received: 1_800_000_000, total: 4_000_000_000 };
    expect(refusalAdvice(nothing, { ...names, download: paused })).toMatchObject({
      title: 'Set up a model to run this task',
      next: 'Story Helper 16K’s download is paused at 45 %: resume it on the Models screen, and Line edit can run on it once it finishes.',
    });
    // Not started (or failed): the step is still the download.
    expect(refusalAdvice(nothing, { ...names, download: { kind: 'none' } })?.next).toMatch(/once you download Story/);
  });

  it('a spent budget is a warning about the budget; a decision that runs needs no advice', () => {
    expect(refusalAdvice(refused('budget_exceeded', []))?.kind).toBe('warning');
    expect(refusalAdvice(decision('line_edit', 'gpt'))).toBeNull();
  });

  it('a picked model over the budget left is said to be, and its refusal’s own steps are the only ones', () => {
    // With two local models installed and Quire's choice within budget, it read "The monthly budget is used up for
    // this task … turn on local-only, or download a local model".
    const message =
      'The model you picked, Claude Sonnet 4.6, would cost about $0.0404, more than the $0.0068 left this month. Let ' +
      'Quire choose: it would use DeepSeek V3.2, about $0.0011. Or pick Story Helper 16K, which runs on this Mac for ' +
      'free, or raise the monthly budget in Settings.';
    const over = decision('continuity_check', null, {
      mode: 'forced',
      refusal: { code: 'budget_exceeded', message, advised: true },
    });
    expect(refusalAdvice(over)).toEqual({
      kind: 'warning',
      title: 'The model you picked costs more than the budget has left',
    });
    expect(refusalAdvice({ ...over, mode: 'pack', pack: 'Mine' })?.title).toBe(
      'The model your pack “Mine” names costs more than the budget has left',
    );
    expect(refusalAdvice({ ...over, mode: 'orchestrator' })?.title).toBe(
      'Not enough of the monthly budget is left for this task',
    );
  });

  it('a picked model that cannot see the images names the ones that can, instead of asking for a key', () => {
    const picked = refused('unavailable', [candidate(['no_vision'], 'Boreal'), candidate(['ranked_lower'], 'Atlas')]);
    expect(refusalAdvice({ ...picked, mode: 'forced' })).toEqual({
      kind: 'info',
      title: 'The model you picked cannot see images',
      next: 'Pick a model that sees them (Atlas), or let Quire choose, or remove the images to run on the text alone.',
    });
    // None that could: the key to add, as when Quire chooses.
    const none = refused('unavailable', [candidate(['no_vision'], 'Boreal'), candidate(['no_key'], 'Atlas')]);
    expect(refusalAdvice({ ...none, mode: 'forced' })?.title).toBe('No model that can see images is ready');
    expect(refusalAdvice(picked)?.title).toBe('No model that can see images is ready');
    // One outside the task's strengths can still be picked; in a pack's run the pack names the model.
    const strengthless = refused('unavailable', [
      candidate(['no_vision'], 'Plain'),
      { ...candidate(['lacks_strength'], 'Atlas'), status: 'rejected' },
    ]);
    expect(refusalAdvice({ ...strengthless, mode: 'forced' })?.next).toMatch(/^Pick a model that sees them \(Atlas\)/);
    expect(refusalAdvice({ ...strengthless, mode: 'pack', pack: 'My pack' })?.title).toBe(
      'The model your pack “My pack” names cannot see images',
    );
  });

  it('a pack that cannot run the task points at the pack and automatic choice; a picked model at another model', () => {
    const packed = { ...refused('unavailable', [candidate(['no_key'])]), mode: 'pack' as const, pack: 'My pack' };
    expect(refusalAdvice(packed)).toEqual({
      kind: 'info',
      title: 'Your model pack “My pack” cannot run this task',
      next: 'Change the model it uses for this task in Settings → AI Intelligence → Model packs, or turn on “Choose models automatically” there.',
    });
    const picked = { ...refused('unavailable', [candidate(['no_key'])]), mode: 'forced' as const };
    expect(refusalAdvice(picked)).toEqual({
      kind: 'info',
      title: 'The model you picked cannot run this task',
      next: 'Pick another model, or let Quire choose.',
    });
  });
});
