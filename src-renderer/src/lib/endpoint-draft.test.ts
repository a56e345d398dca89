import { describe, expect, it } from 'vitest';
import { endpointSchema, type EndpointModel } from '$contract/providers';
import {
  blankModel,
  endpointIdProblem,
  endpointModelNames,
  endpointModels,
  listedModelDraft,
  listedShown,
  modelDraft,
  modelIdProblems,
  pickListed,
} from './endpoint-draft';

// Every field the contract has for a model: a field added to it without a place in the form fails to compile here.
const llava: Required<EndpointModel> = {
  id: 'llava',
  display_name: 'LLaVA',
  quality: 7,
  strengths: ['thematic_analysis', 'prose_style'],
  input_usd_per_mtok: 0,
  output_usd_per_mtok: 0,
  context_window: 131_072,
  vision: true,
};

const llavaDraft = () => modelDraft(llava);

describe('an endpoint form’s models', () => {
  it('save every field of a model as it was opened, with only what the writer changed', () => {
    const drafts = [modelDraft(llava)];
    drafts[0]!.input_usd_per_mtok = '0.5';
    expect(endpointModels(drafts)).toEqual({ ok: true, models: [{ ...llava, input_usd_per_mtok: 0.5 }] });
  });

  it('show the context size as a writer reads it, and read it back with or without separators', () => {
    const draft = modelDraft(llava);
    expect(draft.context_window).toBe('131,072');
    expect(draft.vision).toBe(true);
    for (const typed of ['200000', '200,000', ' 200000 ']) {
      const saved = endpointModels([{ ...draft, context_window: typed }]);
      expect(saved, typed).toMatchObject({ ok: true, models: [{ context_window: 200_000 }] });
    }
  });

  it('leave out what the writer cleared: an empty size is Quire’s default, an unticked box no image support', () => {
    const saved = endpointModels([{ ...modelDraft(llava), context_window: '', vision: false }]);
    expect(saved.ok && saved.models[0]).toEqual({
      id: 'llava',
      display_name: 'LLaVA',
      quality: 7,
      strengths: ['thematic_analysis', 'prose_style'],
      input_usd_per_mtok: 0,
      output_usd_per_mtok: 0,
    });
    const { display_name: _, context_window: __, vision: ___, ...plain } = llava;
    expect(modelDraft(plain)).toMatchObject({ display_name: '', context_window: '', vision: false });
    expect(endpointModels([modelDraft(plain)])).toEqual({ ok: true, models: [plain] });
  });

  it('start a new model at the default size, without image support', () => {
    expect(blankModel()).toMatchObject({ context_window: '', vision: false });
    expect(endpointModels([{ ...blankModel(), id: ' qwen ' }])).toMatchObject({
      ok: true,
      models: [{ id: 'qwen', quality: 5, strengths: [] }],
    });
    const saved = endpointModels([{ ...blankModel(), id: 'qwen' }]);
    expect(saved.ok && saved.models[0]).not.toHaveProperty('context_window');
    expect(saved.ok && saved.models[0]).not.toHaveProperty('vision');
  });

  it('refuse a context size that is not a whole number, naming the model and how to type it', () => {
    const drafts = [modelDraft(llava), { ...modelDraft(llava), id: 'qwen', context_window: '32k' }];
    expect(endpointModels(drafts)).toEqual({
      ok: false,
      message:
        'The context size of model 2 (“qwen”) is not a whole number of tokens: type digits only, like 8192 or 131,072, or leave it ' +
        "empty for Quire's default of 32,768.",
    });
    expect(endpointModels([{ ...blankModel(), context_window: '8192.5' }])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The context size of model 1 is not a whole number/),
    });
  });

  it('refuse a cleared quality or price instead of saving 0, and read a price as the budget is read', () => {
    // The form's number fields gave an emptied field as 0: a model rated 0 (never picked) or priced at $0 (its calls
    // counted as free, outside the budget), and Chromium dropped a decimal comma ("0,15" became $15).
    const qwen = { ...blankModel(), id: 'qwen' };
    expect(endpointModels([{ ...qwen, input_usd_per_mtok: '0,15', output_usd_per_mtok: '$0.60' }])).toMatchObject({
      ok: true,
      models: [{ input_usd_per_mtok: 0.15, output_usd_per_mtok: 0.6 }],
    });
    // As price pages write them ("$1.250", "$10.000" per million tokens): decimals, not a thousands question.
    expect(endpointModels([{ ...qwen, input_usd_per_mtok: '$1.250', output_usd_per_mtok: '10.000' }])).toMatchObject({
      ok: true,
      models: [{ input_usd_per_mtok: 1.25, output_usd_per_mtok: 10 }],
    });
    expect(endpointModels([llavaDraft(), { ...qwen, quality: '' }])).toEqual({
      ok: false,
      message: 'The quality of model 2 (“qwen”) is not a number: type one from 0 to 10, like 6 or 7.5.',
    });
    expect(endpointModels([{ ...qwen, input_usd_per_mtok: '' }])).toEqual({
      ok: false,
      message:
        'The input price of model 1 (“qwen”) is not a number of dollars per million tokens: type one like 0.15, or 0 ' +
        'for a model that is free.',
    });
    expect(endpointModels([{ ...qwen, output_usd_per_mtok: 'free' }])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The output price of model 1 \(“qwen”\) is not a number/),
    });
  });

  it('start a model ticked in the server’s list at the context size the server reported, else at the default', () => {
    const vllm = listedModelDraft({ id: 'qwen2.5-7b', display_name: null, context_window: 131_072 });
    expect(vllm).toEqual({ ...blankModel(), id: 'qwen2.5-7b', context_window: '131,072' });
    expect(endpointModels([vllm])).toMatchObject({ ok: true, models: [{ id: 'qwen2.5-7b', context_window: 131_072 }] });
    const ollama = listedModelDraft({ id: 'llama3.1:8b', display_name: null, context_window: null });
    expect(ollama).toEqual({ ...blankModel(), id: 'llama3.1:8b' });
  });

  it('claim nothing for a model the writer has not judged: a modest quality and no strengths ticked', () => {
    // Rated 6 and good at everything, a free 8B model took every task of Balanced without a word.
    for (const draft of [
      blankModel(),
      listedModelDraft({ id: 'llama3.1:8b', display_name: null, context_window: null }),
    ])
      expect(draft).toMatchObject({ quality: '5', strengths: [] });
  });
});

describe('endpointIdProblem: the name a new endpoint is saved under, checked as it is typed', () => {
  it('says in words what is wrong with a name, before Save, and nothing for a good one or an empty field', () => {
    // The form took any text and said “Use lower-case letters, digits, - and _ only for the endpoint id” after Save.
    expect(endpointIdProblem('', [])).toBeNull();
    expect(endpointIdProblem('lm-studio', [])).toBeNull();
    expect(endpointIdProblem('LM Studio', [])).toBe(
      'Use small letters, digits, - and _ only, with no spaces (for example “lm-studio”).',
    );
    expect(endpointIdProblem('-studio', [])).toBe('Start with a letter or a digit (for example “lm-studio”).');
    expect(endpointIdProblem('a'.repeat(61), [])).toBe('Keep the name to 60 characters or fewer.');
    expect(endpointIdProblem('ollama', ['ollama'])).toBe(
      'You already have an endpoint called “ollama”: pick another name, or edit that one.',
    );
  });

  it('accepts exactly what the contract accepts', () => {
    for (const id of ['ok', 'a_b-c9', '9lives', 'LM', 'a b', '-x', '_x', 'é', 'a'.repeat(60), 'a'.repeat(61)])
      expect(endpointIdProblem(id, []) === null, id).toBe(endpointSchema.shape.id.safeParse(id).success);
  });
});

describe('modelIdProblems: a model id the endpoint already has, said as it is typed', () => {
  it('names the row that repeats an id, in curly quotes, and nothing for new or empty ids', () => {
    // The host refused it only after Save: `Model "writer" is listed twice`.
    const rows = [{ id: 'writer' }, { id: ' writer ' }, { id: '' }, { id: '' }, { id: 'editor' }];
    expect(modelIdProblems(rows)).toEqual([
      null,
      'This endpoint already has a model “writer”: give this one another id, or remove it.',
      null,
      null,
      null,
    ]);
  });

  it('stops the save with the same words', () => {
    const read = endpointModels([modelDraft(llava), modelDraft(llava)]);
    expect(read).toEqual({
      ok: false,
      message: 'This endpoint already has a model “llava”: give this one another id, or remove it.',
    });
  });
});

describe('endpointModelNames', () => {
  it('names an endpoint’s models as the writer named them, by id only where they gave no name', () => {
    // The endpoint's row listed “llava, qwen2.5:7b-instruct-q4_K_M” where the writer had named the first “LLaVA”.
    expect(endpointModelNames([llava, { ...llava, id: 'qwen2.5:7b', display_name: undefined }])).toBe(
      'LLaVA, qwen2.5:7b',
    );
  });
});

describe('pickListed: ticking and unticking the server’s models', () => {
  const listed = (id: string) => ({ id, display_name: null, context_window: null });

  it('a ticked model fills the empty row first; unticking the last one leaves an empty row, not the model', () => {
    // Unticking the only model left its box empty while the model stayed in "Models it serves" and was saved.
    const one = pickListed([blankModel()], listed('llava:7b'), true);
    expect(one.map((m) => m.id)).toEqual(['llava:7b']);
    const two = pickListed(one, listed('llama3.1:8b'), true);
    expect(two.map((m) => m.id)).toEqual(['llava:7b', 'llama3.1:8b']);
    expect(pickListed(two, listed('llava:7b'), false).map((m) => m.id)).toEqual(['llama3.1:8b']);
    const none = pickListed(one, listed('llava:7b'), false);
    expect(none).toEqual([blankModel()]);
    // Ticking one already there, or unticking one that is not, changes nothing.
    expect(pickListed(one, listed('llava:7b'), true)).toEqual(one);
    expect(pickListed(one, listed('other'), false)).toEqual(one);
  });
});

describe('listedShown: a long model list is searched', () => {
  const many = Array.from({ length: 300 }, (_, i) => ({
    id: `model-${String(i).padStart(3, '0')}:q4`,
    display_name: i === 7 ? 'Llama 3.1 8B' : null,
    context_window: null,
  }));

  it('shows every model of a short list, and of a long one those matching what is typed, ticked ones always', () => {
    // 300 models from a gateway were 300 checkboxes, with no way to find one.
    const few = many.slice(0, 5);
    expect(listedShown(few, 'zzz', []).shown).toEqual(few);
    expect(listedShown(many, '', []).shown).toHaveLength(300);
    expect(listedShown(many, '', []).searchable).toBe(true);
    expect(listedShown(few, '', []).searchable).toBe(false);
    expect(listedShown(many, 'model-12', []).shown.map((m) => m.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `model-12${i}:q4`),
    );
    // By its display name too, in any case; a ticked model stays in view whatever is typed (and is no match).
    expect(listedShown(many, 'mistral', ['model-299:q4'])).toMatchObject({ matched: 0 });
    expect(listedShown(many, 'LLAMA 3.1', ['model-299:q4']).shown.map((m) => m.id)).toEqual([
      'model-007:q4',
      'model-299:q4',
    ]);
  });
});
