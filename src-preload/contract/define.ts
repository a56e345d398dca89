// Helpers that let each domain declare its channels once: the zod input schema is a value (main validates with it),
// the output type is carried as a phantom so the renderer and the handlers agree on it at compile time.
import { z } from 'zod';

export interface ChannelSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  /** Largest accepted request body in bytes (HTTP host); defaults to 1 MB. */
  readonly maxBytes?: number;
  /** Phantom: never read at run time. */
  readonly output?: O;
}

export function channel<O>() {
  return <I extends z.ZodType>(input: I, options: { maxBytes?: number } = {}): ChannelSpec<I, O> => ({
    input,
    ...options,
  });
}

/** Events are declared by payload type only; their names are listed in channels.ts. */
export type EventSpec<P> = { readonly payload: P };

/** Input of a channel that takes none: absent, null or {} are all accepted. */
export const noInput = z.union([z.undefined(), z.null(), z.strictObject({})]).transform(() => undefined);
