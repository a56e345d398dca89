// Request parameters the gateway cannot honour (stop sequences it can: they are passed to the model). Ignoring one
// would hand the app an answer it did not ask for (text where it expected a tool call) and charge it, so each is
// refused with a 400 naming it, before anything is decided or reserved, and the app can drop it. Other unknown keys
// still pass: clients send many harmless extras. A value that asks for nothing (an empty list, false, "none") is what
// clients send by default and passes too.
import type { WireApi } from './wire-errors';
import { wire } from './wire-errors';

interface Unsupported {
  param: string;
  /** What the parameter asks for, as the refusal names it. */
  feature: string;
  /** True for a value that asks for nothing: the refusal would only break a client sending its defaults. */
  inert: (value: unknown) => boolean;
}

const absent = (value: unknown) => value === undefined || value === null;
const emptyOr = (value: unknown) => absent(value) || (Array.isArray(value) && value.length === 0);
const noneChoice = (value: unknown) =>
  absent(value) || value === 'none' || (isObject(value) && value.type === 'none' && Object.keys(value).length === 1);
const offFlag = (value: unknown) => absent(value) || value === false;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TOOLS = 'tools (function calling)';

const UNSUPPORTED: Record<WireApi, Unsupported[]> = {
  openai: [
    { param: 'tools', feature: TOOLS, inert: emptyOr },
    { param: 'tool_choice', feature: TOOLS, inert: noneChoice },
    { param: 'functions', feature: TOOLS, inert: emptyOr },
    { param: 'function_call', feature: TOOLS, inert: noneChoice },
    { param: 'logprobs', feature: 'log probabilities', inert: offFlag },
    { param: 'top_logprobs', feature: 'log probabilities', inert: (v) => absent(v) || v === 0 },
    // Token ids belong to one model's tokenizer, and the model that answers may be another provider's or a fallback.
    {
      param: 'logit_bias',
      feature: 'token biases',
      inert: (v) => absent(v) || (isObject(v) && Object.keys(v).length === 0),
    },
  ],
  anthropic: [
    { param: 'tools', feature: TOOLS, inert: emptyOr },
    { param: 'tool_choice', feature: TOOLS, inert: noneChoice },
    {
      param: 'thinking',
      feature: 'extended thinking',
      inert: (v) => absent(v) || (isObject(v) && v.type === 'disabled'),
    },
  ],
};

/**
 * Parameters of one message: an earlier turn's tool calls would be dropped on the way to the model, which would then
 * answer a conversation the app did not send. (Anthropic's tool_use blocks are content parts, refused as any part
 * that is not text.)
 */
const IN_MESSAGES: Record<WireApi, Unsupported[]> = {
  openai: [
    { param: 'tool_calls', feature: TOOLS, inert: emptyOr },
    { param: 'function_call', feature: TOOLS, inert: absent },
  ],
  anthropic: [],
};

/** Throws a 400 for the first parameter in `body` (or one of its messages) that the gateway would silently ignore. */
export function refuseUnsupported(api: WireApi, body: Record<string, unknown>): void {
  refuseIn(UNSUPPORTED[api], body, '');
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  messages.forEach((message, i) => isObject(message) && refuseIn(IN_MESSAGES[api], message, `messages.${i}.`));
}

function refuseIn(list: Unsupported[], object: Record<string, unknown>, at: string): void {
  for (const { param, feature, inert } of list) {
    if (inert(object[param])) continue;
    const name = `${at}${param}`;
    throw wire.invalid(
      `"${name}": Quire's gateway does not support ${feature}. Send the request without "${name}"; nothing was charged.`,
      name,
    );
  }
}
