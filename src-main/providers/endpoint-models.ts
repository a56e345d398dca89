// "Fetch models" for a custom endpoint: the server's own list (GET <base>/models, OpenAI's and Anthropic's wire
// format), so a writer picks model ids instead of typing them. Nothing is billed: listing models costs nothing.
import { endpointModelSchema, type EndpointListedModel } from '../../src-preload/contract/providers';
import { ProviderError, UnavailableError } from '../errors';
import { causeCode, connectionFailure } from './connection-failure';

export interface EndpointModelsRequest {
  kind: 'openai-compatible' | 'anthropic';
  base_url: string;
  api_key?: string | undefined;
}

/**
 * Where servers put a model's context size in their list: vLLM `max_model_len` (what it serves), OpenRouter
 * `context_length`, LM Studio's own list (/api/v0/models) `max_context_length`. Ollama's OpenAI-compatible list has
 * none.
 */
const CONTEXT_FIELDS = ['max_model_len', 'context_length', 'max_context_length'] as const;

const LIST_TIMEOUT_MS = 15_000;

export async function listEndpointModels(
  request: EndpointModelsRequest,
  fetchImpl: typeof fetch = fetch,
  redact: (text: string) => string = (t) => t,
): Promise<EndpointListedModel[]> {
  const base = request.base_url.replace(/\/+$/, '');
  // Anthropic's base URL has no /v1 (the SDK adds it); OpenAI-compatible ones include it (…/v1).
  const url = request.kind === 'anthropic' && !/\/v1$/.test(base) ? `${base}/v1/models` : `${base}/models`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.kind === 'anthropic') {
    headers['anthropic-version'] = '2023-06-01';
    if (request.api_key) headers['x-api-key'] = request.api_key;
  } else if (request.api_key) headers.authorization = `Bearer ${request.api_key}`;
  const host = new URL(url).host;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(LIST_TIMEOUT_MS) });
  } catch (error) {
    if (causeCode(error) === 'ECONNREFUSED') {
      // The usual case: the writer's own server is not started. A model list is never charged: nothing to say of it.
      throw new UnavailableError(
        redact(`${host} refused the connection: nothing is listening there. ${startStep(url, 'fetch again')}`),
        {
          cause: error,
          advised: true,
        },
      );
    }
    const failure = connectionFailure(host, error, base);
    throw new UnavailableError(
      redact(`${failure.message} Check that the server is running and that the address is right, then fetch again.`),
      { cause: error, advised: true },
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new ProviderError(
      host,
      `${host} refused the key (HTTP ${response.status}). Check the key the server expects (Ollama accepts any, e.g. "ollama"; LM Studio "lm-studio").`,
      { status: response.status, retryable: false, billing: 'none' },
    );
  }
  if (!response.ok) {
    throw new ProviderError(
      host,
      `${host} answered HTTP ${response.status} to the model list. Check the address: OpenAI-compatible servers usually end in /v1.`,
      { status: response.status, retryable: response.status >= 500, billing: 'none' },
    );
  }
  const page = (response.headers.get('content-type') ?? '').includes('text/html');
  const body = page ? null : ((await response.json().catch(() => null)) as { data?: unknown } | null);
  if (!body || !Array.isArray(body.data)) {
    throw new ProviderError(
      host,
      page
        ? `${host} answered with a web page, not a list of models: the address is a website’s or an app’s page ` +
            `rather than its API. An OpenAI-compatible server’s address ends in /v1, such as ${LOCAL_SERVERS}.`
        : `${host} did not answer with a list of models. Check the address, and that “Speaks” is the kind the ` +
            'server is (Ollama and LM Studio are OpenAI-compatible).',
      { retryable: false, billing: 'none' },
    );
  }
  const models: EndpointListedModel[] = [];
  for (const entry of body.data as ({ id?: unknown; display_name?: unknown } & Record<string, unknown>)[]) {
    if (typeof entry?.id !== 'string' || entry.id.length === 0 || entry.id.length > 200) continue;
    models.push({
      id: entry.id,
      display_name: typeof entry.display_name === 'string' ? entry.display_name : null,
      context_window: contextOf(entry),
    });
  }
  return models.sort((a, b) => a.id.localeCompare(b.id));
}

/** Where the two servers writers run on their Macs listen, as their documentation gives it. */
const LOCAL_SERVERS = 'http://127.0.0.1:11434/v1 (Ollama) or http://127.0.0.1:1234/v1 (LM Studio)';

/**
 * What to do about a server that is not listening: on this Mac, it is Ollama or LM Studio not started. `again` is the
 * writer's next click ("fetch again", "try again").
 */
export function startStep(url: string, again: string): string {
  const { hostname } = new URL(url);
  return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname)
    ? `Start the server (open Ollama, or start LM Studio’s local server), then ${again}; if it is running, check ` +
        'the port in the address (Ollama uses 11434, LM Studio 1234).'
    : `Start the server on that computer, then ${again}; if it is running, check the address and its port.`;
}

/** The first context size the entry reports that an endpoint's model can be saved with (the contract's rule); else null. */
function contextOf(entry: Record<string, unknown>): number | null {
  for (const field of CONTEXT_FIELDS) {
    const size = endpointModelSchema.shape.context_window.safeParse(entry[field]).data;
    if (size !== undefined) return size;
  }
  return null;
}
