// Everything about reaching providers: which are configured (keys, custom endpoints, base-URL overrides), building a
// LanguageModel for a registry model, health of each breaker, and whether a cloud model is ready to call.
import type { ModelSpec } from '../../src-preload/contract';
import {
  BUILTIN_PROVIDER_IDS,
  nameEndpoints,
  PROVIDER_TABLE,
  providerDescriptor,
  providerLabel,
  type ProviderDescriptor,
  type WireKind,
} from '../../src-preload/contract/provider-table';
import { ENDPOINT_DEFAULT_CONTEXT } from '../../src-preload/contract/constants';
import type { KeyTest } from '../../src-preload/contract/keys';
import type {
  EndpointInput,
  EndpointListedModel,
  EndpointModel,
  EndpointModelsInput,
  EndpointTestInput,
  ProviderEntry,
  ProviderHealth,
} from '../../src-preload/contract/providers';
import { InvalidInputError, isQuireError, NotFoundError, ProviderError, UnavailableError } from '../errors';
import type { KeyStore } from '../keys/key-store';
import type { CustomModelSink } from '../orchestrator/registry';
import type { EndpointRow, EndpointsRepo } from '../store/repos/endpoints-repo';
import { AnthropicModel } from './anthropic';
import { deadEndCode } from './dead-end-fetch';
import { listEndpointModels, startStep, type EndpointModelsRequest } from './endpoint-models';
import { providerIdOf } from './builtin-providers';
import type { ClientOptions } from './client-options';
import type { LocalModelProvider } from './local-models';
import { OpenAiCompatibleModel } from './openai-compatible';
import type { ProviderResilience } from './resilience';
import type { LanguageModel } from './spec';
import { textOnly } from './text-only';
import { endpointModelId } from '../../src-preload/contract/model-ids';

export interface ProviderServiceOptions {
  keys: KeyStore;
  endpoints: EndpointsRepo;
  registry: CustomModelSink;
  resilience: ProviderResilience;
  local?: LocalModelProvider | undefined;
  /** Masks keys in messages that leave this service. */
  redact: (text: string) => string;
  /** SDK retries per call (429/5xx with backoff, short Retry-After honoured). */
  maxRetries?: number;
  /** A 429 asking to wait longer than this fails fast. */
  maxRetryAfterS?: number;
  fetch?: typeof fetch;
}

export type CallableModel = LanguageModel & { testKey?: (signal?: AbortSignal) => Promise<string> };

const endpointSource = (id: string) => `endpoint:${id}`;
/** keys:test waits this long for the provider's answer. */
const KEY_TEST_TIMEOUT_MS = 15_000;

export class ProviderService {
  readonly maxRetries: number;
  readonly maxRetryAfterS: number;
  /** SDK clients are not free to build (~0.1 ms each, measured): one per model, base URL, key and timeout, reused. */
  private readonly clients = new Map<string, CallableModel>();

  constructor(private readonly options: ProviderServiceOptions) {
    this.maxRetries = options.maxRetries ?? 1;
    this.maxRetryAfterS = options.maxRetryAfterS ?? 20;
    this.nameEndpoints();
  }

  /** What every message about an endpoint calls it (provider-table.ts): the writer's name for it, as saved. */
  private nameEndpoints(): void {
    nameEndpoints(this.options.endpoints.all().flatMap((row) => (row.name ? [[row.id, row.name] as const] : [])));
  }

  /** The key-store / breaker name for a registry model. */
  providerOf(spec: ModelSpec): string {
    return providerIdOf(spec);
  }

  /** A cloud or custom-endpoint model can be called now: its endpoint exists and, for built-ins, a key is set. */
  cloudReady(spec: ModelSpec): boolean {
    if (spec.endpoint_id) return this.options.endpoints.get(spec.endpoint_id, false) !== undefined;
    return providerDescriptor(spec.provider) !== undefined && this.options.keys.has(spec.provider);
  }

  /**
   * Builds the LanguageModel for a registry model; throws UnavailableError when it cannot be called. A model that
   * cannot see images refuses a request that carries some.
   */
  model(spec: ModelSpec, timeoutMs: number): CallableModel {
    const model = this.build(spec, timeoutMs);
    return spec.capabilities.vision ? model : textOnly(model, spec);
  }

  private build(spec: ModelSpec, timeoutMs: number): CallableModel {
    if (spec.provider === 'local') {
      if (!this.options.local)
        throw new UnavailableError(`Local models are not available in this build (${spec.display_name})`);
      return this.options.local.languageModel(spec);
    }
    const provider = this.providerOf(spec);
    const base = {
      provider,
      modelId: spec.id,
      apiModelId: spec.api_model_id ?? spec.id,
      maxRetries: this.maxRetries,
      timeoutMs,
      maxRetryAfterS: this.maxRetryAfterS,
      reasoning: spec.capabilities.reasoning === true,
      ...(spec.capabilities.sampling === false ? { sampling: false } : {}),
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    };
    if (spec.endpoint_id) {
      const endpoint = this.options.endpoints.get(spec.endpoint_id, false);
      if (!endpoint)
        throw new UnavailableError(`Your endpoint “${spec.endpoint_id}” for ${spec.display_name} was removed`);
      return this.cached(endpoint.kind, {
        ...base,
        baseURL: endpoint.base_url,
        apiKey: this.options.keys.get(provider),
      });
    }
    const builtin = providerDescriptor(spec.provider);
    if (!builtin) throw new UnavailableError(`No provider is configured for ${spec.display_name}`);
    const apiKey = this.options.keys.get(builtin.id);
    if (!apiKey)
      throw new UnavailableError(
        `No API key is set for ${builtin.display_name} (set one in Settings or ${builtin.env_var})`,
      );
    return this.cached(builtin.kind, { ...base, ...this.builtinOptions(builtin), apiKey });
  }

  /**
   * A built-in provider's address (the writer's override, else the table's), structured-output mode and whether it
   * takes a reasoning effort.
   */
  private builtinOptions(builtin: ProviderDescriptor): Pick<ClientOptions, 'baseURL' | 'jsonMode' | 'reasoningEffort'> {
    const override = this.options.endpoints.get(builtin.id, true);
    return {
      baseURL: override?.base_url ?? builtin.base_url,
      jsonMode: builtin.json_mode === 'json_object' ? 'json_object' : 'json_schema',
      reasoningEffort: builtin.reasoning_effort,
    };
  }

  private cached(kind: WireKind, options: ClientOptions): CallableModel {
    const key = JSON.stringify([
      kind,
      options.modelId,
      options.apiModelId,
      options.baseURL,
      options.apiKey,
      options.timeoutMs,
      options.reasoning,
      options.reasoningEffort,
      options.sampling,
      options.jsonMode,
    ]);
    let model = this.clients.get(key);
    if (!model) {
      if (this.clients.size > 200) this.clients.clear();
      model = build(kind, options);
      this.clients.set(key, model);
    }
    return model;
  }

  /** The models a custom endpoint's server lists: a saved endpoint by id, or one being typed in. */
  async endpointModels(input: EndpointModelsInput): Promise<{ models: EndpointListedModel[] }> {
    let request: EndpointModelsRequest;
    if ('id' in input) {
      const endpoint = this.options.endpoints.get(input.id, false);
      if (!endpoint) throw new NotFoundError('Endpoint', input.id);
      request = {
        kind: endpoint.kind,
        base_url: endpoint.base_url,
        api_key: this.options.keys.get(endpointSource(input.id)),
      };
    } else request = input;
    const models = await listEndpointModels(request, this.options.fetch ?? fetch, this.options.redact);
    return { models };
  }

  /**
   * keys:test: a minimal authenticated call that costs nothing. It runs outside the provider's circuit breaker: a
   * writer trying a wrong key (or a wrong URL) must not pause the provider for everyone's runs, and an open breaker
   * must not stop the writer from testing the key that fixes it.
   */
  testKey(provider: string): Promise<KeyTest> {
    return this.tryKey(provider, this.clientFor(provider));
  }

  /**
   * providers:test: the same call to a custom endpoint as typed in the form, with the key typed there, else the saved
   * endpoint's own. Nothing is stored, so a failed test leaves the endpoint and its key as they were.
   */
  testEndpoint(input: EndpointTestInput): Promise<KeyTest> {
    const source = endpointSource(input.id);
    // A key not stored yet is masked too, should the server's refusal quote it.
    if (input.api_key) this.options.keys.mask(input.api_key);
    const apiKey = input.api_key ?? this.options.keys.get(source);
    return this.tryKey(source, build(input.kind, { ...this.keyTestOptions(source), baseURL: input.base_url, apiKey }), {
      // Ollama or LM Studio not started yet is the usual reason: said once, with how to start it.
      notListening: `Nothing answers at ${new URL(input.base_url).host}. ${startStep(input.base_url, 'try again')}`,
    });
  }

  private async tryKey(
    provider: string,
    client: OpenAiCompatibleModel | AnthropicModel,
    words: { notListening?: string } = {},
  ): Promise<KeyTest> {
    // The provider as the writer knows it: "OpenAI", or "Your endpoint “lab”".
    const name = provider.startsWith('endpoint:')
      ? `Y${providerLabel(provider).slice(1)}`
      : (providerDescriptor(provider)?.display_name ?? provider);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), KEY_TEST_TIMEOUT_MS);
    try {
      const answered = await client.testKey(controller.signal);
      // Not the API: Open WebUI's address instead of Ollama's, a hotel Wi-Fi's sign-in page. The key was never tried.
      if (!/json/i.test(answered))
        return {
          provider,
          ok: false,
          message: `${name} answered with ${/html/i.test(answered) ? 'a web page' : 'something else'}, not its list of models.`,
          reason: 'unreachable',
        };
      return { provider, ok: true, message: `${name} accepted the key.` };
    } catch (error) {
      // A refusal (401/403) is about the key; no answer at all is about the address or the network.
      const status = error instanceof ProviderError ? error.status : undefined;
      // The key tried may not be one Quire has yet, and the writer is where keys are set: a run's advice (check the
      // key in Settings) would not fit; the Settings and first-run screens say what to do with a refused key.
      const message = controller.signal.aborted
        ? `${name} did not answer within ${KEY_TEST_TIMEOUT_MS / 1000} s`
        : words.notListening && deadEndCode(error) === 'ECONNREFUSED'
          ? words.notListening
          : status === 401 || status === 403
            ? `${name} refused the API key (HTTP ${status}).`
            : error instanceof Error
              ? error.message
              : String(error);
      const reason =
        status === 401 || status === 403
          ? 'refused'
          : controller.signal.aborted ||
              (isQuireError(error) && ['unavailable', 'timeout'].includes(error.code)) ||
              (error instanceof ProviderError && status === undefined)
            ? 'unreachable'
            : 'other';
      return { provider, ok: false, message: this.options.redact(message), reason };
    } finally {
      clearTimeout(timer);
    }
  }

  list(): ProviderEntry[] {
    const rows = this.options.endpoints.all();
    const health = (id: string): ProviderHealth => this.options.resilience.health(id)[0]!;
    const key = (id: string) => this.options.keys.status([id])[0]!;
    const builtins: ProviderEntry[] = PROVIDER_TABLE.map((p) => {
      const k = key(p.id);
      return {
        id: p.id,
        name: p.id,
        kind: p.kind,
        type: 'built_in',
        base_url: rows.find((r) => r.builtin && r.id === p.id)?.base_url ?? null,
        key_configured: k.configured,
        key_last4: k.last4,
        models: [],
        health: health(p.id),
      };
    });
    const customs: ProviderEntry[] = rows.filter((r) => !r.builtin).map((r) => this.entryOf(r));
    return [...builtins, ...customs];
  }

  /** Every name a key may be stored under: each built-in provider, then each saved endpoint (`endpoint:<id>`). */
  keyNames(): string[] {
    const endpoints = this.options.endpoints.all().filter((row) => !row.builtin);
    return [...BUILTIN_PROVIDER_IDS, ...endpoints.map((row) => endpointSource(row.id))];
  }

  /** Saves a custom endpoint (its models join the registry as available) or a built-in base-URL override. */
  save(input: EndpointInput | { id: string; base_url: string | null; builtin: true }): ProviderEntry {
    if ('builtin' in input) {
      const builtin = providerDescriptor(input.id);
      if (!builtin) throw new InvalidInputError(`"${input.id}" is not a built-in provider`, 'id');
      if (input.base_url === null) this.options.endpoints.delete(input.id);
      else
        this.options.endpoints.save({
          id: input.id,
          name: null,
          kind: builtin.kind,
          base_url: input.base_url,
          builtin: true,
          models: [],
        });
      return this.list().find((p) => p.id === input.id)!;
    }
    if (providerDescriptor(input.id)) {
      throw new InvalidInputError(`"${input.id}" is the name of a built-in provider; choose another id`, 'id');
    }
    const ids = new Set<string>();
    for (const [i, m] of input.models.entries()) {
      if (ids.has(m.id)) throw new InvalidInputError(`Model "${m.id}" is listed twice`, `models.${i}.id`);
      ids.add(m.id);
    }
    const previous = this.options.endpoints.get(input.id, false);
    const row: EndpointRow = {
      id: input.id,
      // Renamed in place: the id, and with it the models' ids, key, runs and spend, stays.
      name: input.name ?? previous?.name ?? null,
      kind: input.kind,
      base_url: input.base_url,
      builtin: false,
      models: input.models,
    };
    const source = endpointSource(row.id);
    const previousKey =
      this.options.keys.status([source])[0]?.source === 'env' ? undefined : this.options.keys.get(source);
    // Registry first: it validates every spec, and nothing is saved when one is refused.
    this.options.registry.upsertCustomModels(
      source,
      input.models.map((m) => specOf(row, m)),
    );
    let keyWritten = false;
    try {
      if (input.api_key) {
        this.options.keys.set(source, input.api_key, input.allow_weak_storage ?? false);
        keyWritten = true;
      }
      this.options.endpoints.save(row);
      this.nameEndpoints();
    } catch (error) {
      // All or nothing: a refused key (or a failed write) leaves the registry and the key as they were before.
      if (previous)
        this.options.registry.upsertCustomModels(
          source,
          previous.models.map((m) => specOf(previous, m)),
        );
      else this.options.registry.removeCustomModels(source);
      if (keyWritten) {
        if (previousKey !== undefined) this.options.keys.set(source, previousKey, true);
        else this.options.keys.delete(source);
      }
      throw error;
    }
    return this.entryOf(row);
  }

  delete(id: string): boolean {
    const row = this.options.endpoints.all().find((r) => r.id === id);
    if (!row) throw new NotFoundError('Provider endpoint', id);
    if (!row.builtin) {
      this.options.registry.removeCustomModels(endpointSource(id));
      this.options.keys.delete(endpointSource(id));
    }
    const deleted = this.options.endpoints.delete(id);
    this.nameEndpoints();
    return deleted;
  }

  private entryOf(row: EndpointRow): ProviderEntry {
    const k = this.options.keys.status([endpointSource(row.id)])[0]!;
    return {
      id: row.id,
      name: endpointName(row),
      kind: row.kind,
      type: 'custom',
      base_url: row.base_url,
      key_configured: k.configured,
      key_last4: k.last4,
      models: row.models,
      health: this.options.resilience.health(endpointSource(row.id))[0]!,
    };
  }

  private keyTestOptions(provider: string): Omit<ClientOptions, 'baseURL' | 'apiKey'> {
    return {
      provider,
      modelId: 'key-test',
      apiModelId: 'key-test',
      maxRetries: 0,
      timeoutMs: KEY_TEST_TIMEOUT_MS,
      maxRetryAfterS: this.maxRetryAfterS,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    };
  }

  private clientFor(provider: string): OpenAiCompatibleModel | AnthropicModel {
    const opts = this.keyTestOptions(provider);
    if (provider.startsWith('endpoint:')) {
      const endpoint = this.options.endpoints.get(provider.slice('endpoint:'.length), false);
      if (!endpoint) throw new NotFoundError('Provider endpoint', provider);
      return build(endpoint.kind, { ...opts, baseURL: endpoint.base_url, apiKey: this.options.keys.get(provider) });
    }
    const builtin = providerDescriptor(provider);
    if (!builtin) throw new NotFoundError('Provider', provider);
    const apiKey = this.options.keys.get(provider);
    if (!apiKey) {
      throw new ProviderError(provider, `No API key is set for ${builtin.display_name}.`, { retryable: false });
    }
    return build(builtin.kind, { ...opts, ...this.builtinOptions(builtin), apiKey });
  }
}

function build(kind: WireKind, options: ClientOptions): OpenAiCompatibleModel | AnthropicModel {
  return kind === 'anthropic' ? new AnthropicModel(options) : new OpenAiCompatibleModel(options);
}

function specOf(row: EndpointRow, m: EndpointModel): ModelSpec {
  return {
    id: endpointModelId(row.id, m.id),
    display_name: m.display_name ?? `${m.id} (${endpointName(row)})`,
    provider: row.kind === 'anthropic' ? 'anthropic' : 'openai-compatible',
    api_model_id: m.id,
    endpoint_id: row.id,
    ...(row.name ? { endpoint_name: row.name } : {}),
    quality: m.quality,
    strengths: m.strengths,
    speed: 'medium',
    context_window: m.context_window ?? ENDPOINT_DEFAULT_CONTEXT,
    pricing: { input_usd_per_mtok: m.input_usd_per_mtok, output_usd_per_mtok: m.output_usd_per_mtok },
    capabilities: { json_output: true, vision: m.vision === true, streaming: true },
  };
}

/** A custom endpoint as the writer reads it: its name, else its id. */
function endpointName(row: Pick<EndpointRow, 'id' | 'name'>): string {
  return row.name ?? row.id;
}
