// The maker behind a model — whose tokenizer reads its text and whose rule prices its images: its provider, or for
// OpenRouter the vendor prefix of its id ("anthropic/…"), with the id the maker knows it by.
import type { ModelSpec } from '../../src-preload/contract';

export function makerOf(spec: ModelSpec): { maker: string; modelId: string } {
  const apiId = spec.api_model_id ?? spec.id;
  if (spec.provider === 'openrouter') {
    const slash = apiId.indexOf('/');
    return slash > 0
      ? { maker: apiId.slice(0, slash), modelId: apiId.slice(slash + 1) }
      : { maker: '', modelId: apiId };
  }
  return { maker: spec.provider, modelId: apiId };
}
