// An endpoint form's models as the writer edits them, and back into what providers:save stores. A save replaces an
// endpoint's models whole, so every field a model is stored with has its place here: one the form left out would be
// lost at the next edit (a model's context size fell back to the default that way, and its image support was lost).
import { ENDPOINT_DEFAULT_CONTEXT } from '$contract/constants';
import type { EndpointListedModel, EndpointModel } from '$contract/providers';
import type { Strength } from '$contract/registry';
import { formatTokens } from './format';
import { readNumber } from './number-text';

/**
 * Numbers are kept as typed and read on save as the budget is (number-text.ts): a number field gave an emptied field
 * as 0 (a model rated 0, or priced as free) and dropped a decimal comma ("0,15" became 15).
 */
export interface ModelDraft {
  id: string;
  display_name: string;
  quality: string;
  strengths: Strength[];
  input_usd_per_mtok: string;
  output_usd_per_mtok: string;
  /** As typed ("131,072"); empty leaves the model at Quire's default. */
  context_window: string;
  vision: boolean;
}

/** What an empty context size means, shown in the field. */
export const DEFAULT_CONTEXT_TEXT = formatTokens(ENDPOINT_DEFAULT_CONTEXT);

/**
 * A model the writer has not judged yet claims nothing: rated below the least Quire chooses on its own, good at nothing
 * ticked. Rated 6 and good at everything, a free 8B model took every task of Balanced without a word.
 */
export function blankModel(): ModelDraft {
  return {
    id: '',
    display_name: '',
    quality: '5',
    strengths: [],
    input_usd_per_mtok: '0',
    output_usd_per_mtok: '0',
    context_window: '',
    vision: false,
  };
}

/** A model ticked in the server's list ("Fetch models"): at the context size the server reported, if it did. */
export function listedModelDraft(listed: EndpointListedModel): ModelDraft {
  return {
    ...blankModel(),
    id: listed.id,
    context_window: listed.context_window === null ? '' : formatTokens(listed.context_window),
  };
}

/**
 * The models the form serves after a model of the server's list is ticked (it fills an empty row, else is added) or
 * unticked (it goes; the last one leaves an empty row, so the box and the rows never disagree).
 */
export function pickListed(models: readonly ModelDraft[], listed: EndpointListedModel, checked: boolean): ModelDraft[] {
  const present = models.findIndex((model) => model.id === listed.id);
  if (checked) {
    if (present >= 0) return [...models];
    const empty = models.findIndex((model) => model.id.trim() === '');
    const draft = listedModelDraft(listed);
    return empty >= 0 ? models.map((model, i) => (i === empty ? draft : model)) : [...models, draft];
  }
  if (present < 0) return [...models];
  const left = models.filter((_, i) => i !== present);
  return left.length > 0 ? left : [blankModel()];
}

/** A server's list longer than this gets a search field (Ollama lists a handful; a gateway, hundreds). */
export const SEARCHABLE_LIST = 12;

/**
 * Which of the server's models the list shows: all of a short list; of a long one, those whose id or name holds what
 * is typed (any case), and the ticked ones whatever is typed, so a pick never drops out of sight.
 */
export function listedShown(
  listed: readonly EndpointListedModel[],
  query: string,
  picked: readonly string[],
): { shown: EndpointListedModel[]; searchable: boolean; matched: number } {
  const searchable = listed.length > SEARCHABLE_LIST;
  const wanted = query.trim().toLowerCase();
  if (!searchable || wanted === '') return { shown: [...listed], searchable, matched: listed.length };
  const matches = (model: EndpointListedModel) =>
    model.id.toLowerCase().includes(wanted) || (model.display_name ?? '').toLowerCase().includes(wanted);
  const shown = listed.filter((model) => picked.includes(model.id) || matches(model));
  return { shown, searchable, matched: listed.filter(matches).length };
}

export function modelDraft(model: EndpointModel): ModelDraft {
  return {
    id: model.id,
    display_name: model.display_name ?? '',
    quality: String(model.quality),
    strengths: [...model.strengths],
    input_usd_per_mtok: String(model.input_usd_per_mtok),
    output_usd_per_mtok: String(model.output_usd_per_mtok),
    context_window: model.context_window === undefined ? '' : formatTokens(model.context_window),
    vision: model.vision === true,
  };
}

/**
 * The models to save, or what stops the save: a quality or a price that is not a number (an empty one too), a context
 * size that is not a whole number. Ranges are the contract's to refuse, in the same words as any other caller's.
 */
export function endpointModels(
  drafts: readonly ModelDraft[],
): { ok: true; models: EndpointModel[] } | { ok: false; message: string } {
  const models: EndpointModel[] = [];
  const twice = modelIdProblems(drafts).find((problem) => problem !== null);
  if (twice) return { ok: false, message: twice };
  for (const [i, draft] of drafts.entries()) {
    const id = draft.id.trim();
    const model = id ? `model ${i + 1} (“${id}”)` : `model ${i + 1}`;
    const quality = required(draft.quality);
    if (quality === null)
      return { ok: false, message: `The quality of ${model} is not a number: type one from 0 to 10, like 6 or 7.5.` };
    const input = required(draft.input_usd_per_mtok);
    const output = required(draft.output_usd_per_mtok);
    if (input === null || output === null)
      return {
        ok: false,
        message:
          `The ${input === null ? 'input' : 'output'} price of ${model} is not a number of dollars per million ` +
          'tokens: type one like 0.15, or 0 for a model that is free.',
      };
    const context = readNumber(draft.context_window, { decimal: false });
    if (!context.ok) {
      return {
        ok: false,
        message:
          `The context size of ${model} is not a whole number of tokens: type digits only, like 8192 or 131,072, ` +
          `or leave it empty for Quire's default of ${DEFAULT_CONTEXT_TEXT}.`,
      };
    }
    models.push({
      id,
      ...(draft.display_name.trim() ? { display_name: draft.display_name.trim() } : {}),
      quality,
      strengths: draft.strengths,
      input_usd_per_mtok: input,
      output_usd_per_mtok: output,
      ...(context.value === null ? {} : { context_window: context.value }),
      ...(draft.vision ? { vision: true } : {}),
    });
  }
  return { ok: true, models };
}

/** A decimal the form cannot save without: null when the field is empty or not a number. */
function required(text: string): number | null {
  const read = readNumber(text, { decimal: true });
  return read.ok ? read.value : null;
}

/**
 * Per model row, as it is typed: a model id an earlier row of the form already has (an endpoint serves each model
 * once; the host refused it only at Save, with straight quotes). Null for a row whose id is new or empty.
 */
export function modelIdProblems(drafts: readonly Pick<ModelDraft, 'id'>[]): (string | null)[] {
  const seen = new Set<string>();
  return drafts.map((draft) => {
    const id = draft.id.trim();
    if (id === '') return null;
    if (seen.has(id)) return `This endpoint already has a model “${id}”: give this one another id, or remove it.`;
    seen.add(id);
    return null;
  });
}

/**
 * What is wrong with the name a new endpoint would be saved under, in words, as it is typed (the contract's rule:
 * 1–60 of a–z, 0–9, - and _, starting with a letter or digit; a name already used is another endpoint's). Null for a
 * good name, and for an empty field, which Save asks for itself.
 */
export function endpointIdProblem(id: string, taken: readonly string[]): string | null {
  if (id === '') return null;
  if (id.length > 60) return 'Keep the name to 60 characters or fewer.';
  if (!/^[a-z0-9_-]*$/.test(id))
    return 'Use small letters, digits, - and _ only, with no spaces (for example “lm-studio”).';
  if (!/^[a-z0-9]/.test(id)) return 'Start with a letter or a digit (for example “lm-studio”).';
  if (taken.includes(id)) return `You already have an endpoint called “${id}”: pick another name, or edit that one.`;
  return null;
}

/** An endpoint's models in one line, by the names the writer gave them (their ids where they gave none). */
export function endpointModelNames(models: readonly Pick<EndpointModel, 'id' | 'display_name'>[]): string {
  return models.map((model) => model.display_name?.trim() || model.id).join(', ');
}
