// A model that cannot see images is never sent any: a request carrying images is refused before the call (billing
// nothing), whatever chose the model. The decision already passes such models over; this is the last door.
import type { ModelSpec } from '../../src-preload/contract';
import { QuireError } from '../errors';
import type { GenerateRequest, LanguageModel } from './spec';

type Model = LanguageModel & { testKey?: (signal?: AbortSignal) => Promise<string> };

function refuseImages(spec: ModelSpec, request: GenerateRequest): void {
  if (!request.images || request.images.length === 0) return;
  throw new QuireError(
    'unavailable',
    `${spec.display_name} cannot see images, so nothing was sent to it. Choose a model that can, or remove the images.`,
    { advised: true },
  );
}

export function textOnly<M extends Model>(model: M, spec: ModelSpec): Model {
  return {
    provider: model.provider,
    modelId: model.modelId,
    generate: async (request, signal) => {
      refuseImages(spec, request);
      return model.generate(request, signal);
    },
    async *stream(request, signal) {
      refuseImages(spec, request);
      yield* model.stream(request, signal);
    },
    ...(model.testKey ? { testKey: (signal?: AbortSignal) => model.testKey!(signal) } : {}),
  };
}
