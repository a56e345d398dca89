// An endpoint form's models as the writer edits them, and back into what providers:save stores. A save replaces an
// endpoint's models whole, so every field a model is stored with has its place here: one the form left out would be
// lost at the next edit (a model's context size fell back to the default that way, and its image support was lost).
import { ENDPOINT_DEFAULT_CONTEXT, STRENGTHS } from '$contract/constants';
import type { EndpointListedModel, EndpointModel } from '$contract/providers';
import type { Strength } from '$contract/registry';
import { formatTokens } from './format';
import { readNumber } from './number-text';

export interface ModelDraft {
  id: string;
  display_name: string;
  quality: number;
  strengths: Strength[];
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  /** As typed ("131,072"); empty leaves the model at Quire's default. */
  context_window: string;
  vision: boolean;
}

/** What an empty context size means, shown in the field. */
export const DEFAULT_CONTEXT_TEXT = formatTokens(ENDPOINT_DEFAULT_CONTEXT);

export function blankModel(): ModelDraft {
  return {
    id: '',
    display_name: '',
    quality: 6,
    strengths: [...STRENGTHS],
    input_usd_per_mtok: 0,
    output_usd_per_mtok: 0,
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

export function modelDraft(model: EndpointModel): ModelDraft {
  return {
    id: model.id,
    display_name: model.display_name ?? '',
    quality: model.quality,
    strengths: [...model.strengths],
    input_usd_per_mtok: model.input_usd_per_mtok,
    output_usd_per_mtok: model.output_usd_per_mtok,
    context_window: model.context_window === undefined ? '' : formatTokens(model.context_window),
    vision: model.vision === true,
  };
}

/**
 * The models to save, or what stops the save: a context size that is not a whole number. Its range is the contract's
 * to refuse, in the same words as any other caller's.
 */
export function endpointModels(
  drafts: readonly ModelDraft[],
): { ok: true; models: EndpointModel[] } | { ok: false; message: string } {
  const models: EndpointModel[] = [];
  for (const [i, draft] of drafts.entries()) {
    const id = draft.id.trim();
    const context = readNumber(draft.context_window, { decimal: false });
    if (!context.ok) {
      const model = id ? `model ${i + 1} (“${id}”)` : `model ${i + 1}`;
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
      quality: Number(draft.quality),
      strengths: draft.strengths,
      input_usd_per_mtok: Number(draft.input_usd_per_mtok),
      output_usd_per_mtok: Number(draft.output_usd_per_mtok),
      ...(context.value === null ? {} : { context_window: context.value }),
      ...(draft.vision ? { vision: true } : {}),
    });
  }
  return { ok: true, models };
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
