// How large a context Quire opens for a local model: the model's trained context, unless the memory budget cannot
// hold the weights plus a KV cache that large; then the largest context that fits (GgufInsights' estimate, which is
// deterministic: it reads the GGUF header, not the machine). No fixed cap: a 131k-token model on a machine with room
// gets 131k; the registry's context_window for an installed local model is this number (LocalStack.contextWindow).
import type { GgufInsights } from 'node-llama-cpp';

/** Below this a local model is not worth loading for writing tasks (it is refused as out of memory instead). */
export const MIN_LOCAL_CONTEXT = 512;
/** llama.cpp pads contexts to 256 tokens; sizes are chosen on that grid so the opened size is the planned size. */
const GRID = 256;
/** node-llama-cpp's own assumption when a GGUF does not record its trained context. */
export const UNKNOWN_TRAIN_CONTEXT = 4096;

export interface ContextPlan {
  /** The context the runtime will open. */
  context_size: number;
  /** What the GGUF says the model was trained on. */
  trained_context: number;
  /** Weights + the KV cache and compute buffers at `context_size`. */
  bytes: number;
  /** `memory`: the budget held the context below the trained size. */
  limited_by: 'trained' | 'memory';
}

type Insights = Pick<GgufInsights, 'estimateModelResourceRequirements' | 'estimateContextResourceRequirements'>;

export function planContext(insights: Insights, trainContext: number | undefined, budgetBytes: number): ContextPlan {
  const trained = Math.max(1, Math.floor(trainContext ?? UNKNOWN_TRAIN_CONTEXT));
  const model = insights.estimateModelResourceRequirements({ gpuLayers: 0 });
  const modelBytes = model.cpuRam + model.gpuVram;
  const bytesAt = (contextSize: number) => {
    const context = insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: 0, sequences: 1 });
    return modelBytes + context.cpuRam + context.gpuVram;
  };
  const full = bytesAt(trained);
  if (full <= budgetBytes)
    return { context_size: trained, trained_context: trained, bytes: full, limited_by: 'trained' };
  // Largest grid size that fits (memory grows with the context, so a binary search finds it).
  const floor = Math.min(trained, MIN_LOCAL_CONTEXT);
  let lo = Math.floor(floor / GRID);
  let hi = Math.floor(trained / GRID);
  if (lo === 0 || bytesAt(lo * GRID) > budgetBytes)
    return { context_size: floor, trained_context: trained, bytes: bytesAt(floor), limited_by: 'memory' };
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (bytesAt(mid * GRID) <= budgetBytes) lo = mid;
    else hi = mid - 1;
  }
  const size = lo * GRID;
  return { context_size: size, trained_context: trained, bytes: bytesAt(size), limited_by: 'memory' };
}
