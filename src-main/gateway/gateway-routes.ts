// What each gateway route does once the doors let a request in: chat completions and messages run as Quire runs
// (whole or streamed), /v1/models lists the names the app can call, /v1/embeddings asks a loaded local model.
import type { RunRecord } from '../../src-preload/contract';
import { CancelledError } from '../errors';
import type { RunSpend } from '../ledger/run-spend';
import { anthropicMessage, messageEnd, messageStart, parseMessages, textDelta } from './anthropic-wire';
import type { CallHooks, ChatCall, GatewayCalls } from './gateway-calls';
import type { TokenRow } from './gateway-repo';
import type { GatewayRequest, GatewayRoutes } from './gateway-server';
import { inputName, MAX_EMBEDDING_INPUTS } from './embeddings';
import type { ListedModel } from './model-names';
import { chatCompletion, chunk, finishReason, parseChatCompletion, usageOf } from './openai-wire';
import { usdText } from '../../src-preload/contract/usd-text';
import { sendWireError, toWireError, wire, wireErrorBody, WireError, type WireApi } from './wire-errors';

export interface RouteDeps {
  calls: Pick<GatewayCalls, 'chat' | 'embed'>;
  /** Every name Quire knows. */
  listModels: () => ListedModel[];
  /** Why the token cannot call a name now (GatewayCalls.unavailable); null when it can. */
  unavailable: (token: TokenRow, name: string) => string | null;
  now: () => Date;
  /** Whether the run was stored (read without its row): a call that failed after it was charged says what it cost. */
  stored: (runId: string) => boolean;
  /** What a run's calls came to in the ledger: the usage and cost an app is told, never the answering call's alone. */
  spent: (runId: string) => RunSpend;
  /** Why Quire is closing this server's connections itself (turned off, moved), or null: an app did not hang up. */
  closing?: () => string | null;
}

type Handlers = Pick<GatewayRoutes, 'chatCompletions' | 'messages' | 'embeddings' | 'models' | 'model'>;

export function gatewayRoutes(deps: RouteDeps): Handlers {
  const created = () => Math.floor(deps.now().getTime() / 1000);
  return {
    async chatCompletions(r) {
      const { call, stream, includeUsage } = parseChatCompletion(r.body);
      if (!stream) {
        const record = await chatOnce(deps, r, call);
        const spend = deps.spent(record.run_id);
        return sendJson(r, chatCompletion(record, spend, created()), runHeaders(record.run_id, spend));
      }
      const at = created();
      await streamRun(deps, r, call, {
        open: (id, model) => [chunk(id, at, model, { role: 'assistant', content: '' })],
        delta: (id, model, text) => [chunk(id, at, model, { content: text })],
        end: (record, spend) => [
          chunk(record.run_id, at, record.model_id ?? '', {}, finishReason(record)),
          ...(includeUsage ? [chunk(record.run_id, at, record.model_id ?? '', null, null, usageOf(spend))] : []),
        ],
        error: (error) => wireErrorBody('openai', error),
        done: 'data: [DONE]\n\n',
      });
    },
    async messages(r) {
      const { call, stream } = parseMessages(r.body);
      if (!stream) {
        const record = await chatOnce(deps, r, call);
        const spend = deps.spent(record.run_id);
        return sendJson(r, anthropicMessage(record, spend), runHeaders(record.run_id, spend));
      }
      await streamRun(deps, r, call, {
        open: (id, model) => messageStart(id, model),
        delta: (_id, _model, text) => [textDelta(text)],
        end: (record, spend) => messageEnd(record, spend),
        error: (error) => wireErrorBody('anthropic', error),
        done: '',
      });
    },
    async embeddings(r) {
      const { model, texts, base64 } = parseEmbeddings(r.body, deps.listModels);
      const result = await deps.calls.embed(r.token, model, texts, abortOnClose(deps, r));
      r.res.setHeader('x-quire-run-id', result.runId);
      r.res.setHeader('x-quire-cost-usd', '0');
      sendJson(r, {
        object: 'list',
        data: result.vectors.map((vector, index) => ({
          object: 'embedding',
          index,
          // base64: the vector's float32 values, little-endian, as OpenAI sends them (the SDKs ask for this).
          embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        })),
        model: result.model,
        usage: { prompt_tokens: result.tokens, total_tokens: result.tokens },
      });
    },
    // What this token can call now, so an app's model picker offers only names that work.
    models(r) {
      const data = deps
        .listModels()
        .filter((m) => deps.unavailable(r.token, m.id) === null)
        .map((m) => modelEntry(r.api, m, created()));
      if (r.api === 'anthropic') {
        const ids = data.map((m) => m.id);
        return sendJson(r, { data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
      }
      sendJson(r, { object: 'list', data });
    },
    // One entry of the list; a name the token cannot call now is a 404 that says why, as its call would.
    model(r, id) {
      const listed = deps.listModels().find((m) => m.id === id);
      if (!listed) throw wire.modelNotFound(id);
      const why = deps.unavailable(r.token, id);
      if (why !== null) throw new WireError(why, wire.modelNotFound(id).init);
      sendJson(r, modelEntry(r.api, listed, created()));
    },
  };
}

/** A model as each API's models.list and models.retrieve give it (`name`: the writer's name for it, for pickers). */
function modelEntry(api: WireApi, m: ListedModel, created: number) {
  return api === 'anthropic'
    ? { type: 'model', id: m.id, display_name: m.display_name, created_at: new Date(created * 1000).toISOString() }
    : { id: m.id, object: 'model', created, owned_by: m.owned_by, name: m.display_name };
}

function sendJson(r: GatewayRequest, body: unknown, headers: Record<string, string> = {}): void {
  r.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  r.res.end(JSON.stringify(body));
}

/** The run and what the ledger charged for it, the same figure as the answer's usage.cost. */
function runHeaders(runId: string, spend: RunSpend): Record<string, string> {
  return { 'x-quire-run-id': runId, 'x-quire-cost-usd': spend.costUsd.toFixed(6) };
}

/** A call answered whole; one that fails after its run was stored carries the run's id and cost on its error. */
async function chatOnce(deps: RouteDeps, r: GatewayRequest, call: ChatCall): Promise<RunRecord> {
  let runId: string | null = null;
  try {
    return await deps.calls.chat(r.token, call, { cancel: abortOnClose(deps, r), onRun: (id) => (runId = id) });
  } catch (error) {
    throw failedRun(deps, r, runId, error);
  }
}

/**
 * The error a failed call is answered with. Headers set now are sent with it (writeHead merges them): what the call
 * cost. A call that was charged (the provider may have billed it, so the ledger kept what it could have cost) is one
 * the SDKs must not retry on their own: each retry is a new call, counted again. The app is told the figure.
 */
function failedRun(deps: RouteDeps, r: GatewayRequest, runId: string | null, error: unknown): WireError {
  const wireError = toWireError(error);
  if (!runId || !deps.stored(runId)) return wireError;
  const spend = deps.spent(runId);
  if (!r.res.headersSent)
    for (const [name, value] of Object.entries(runHeaders(runId, spend))) r.res.setHeader(name, value);
  if (spend.costUsd <= 0) return wireError;
  return new WireError(`${wireError.message} ${chargedText(wireError.message, spend.costUsd)}`, {
    ...wireError.init,
    retry: false,
  });
}

/** The charge of a failed call, said once: some provider messages already say why it was counted. */
function chargedText(message: string, costUsd: number): string {
  const why = /the most it could have cost/.test(message) ? '' : ', since the provider may have billed it';
  return `It was counted at ${usdText(costUsd)}${why}.`;
}

/**
 * Cancels the run when its connection closes before the answer is sent, saying who closed it: the app, or Quire (the
 * gateway turned off or moved). The run's record in the history says so; the writer did not stop it by hand.
 */
function abortOnClose(deps: RouteDeps, r: GatewayRequest): AbortSignal {
  const controller = new AbortController();
  r.res.on('close', () => {
    if (r.res.writableFinished) return;
    const why = deps.closing?.() ?? `"${r.token.name}" closed the connection before the answer was finished`;
    controller.abort(new CancelledError(`${why}, so Quire stopped it. What had arrived is kept here and charged.`));
  });
  return controller.signal;
}

interface StreamFormat {
  open: (runId: string, model: string) => unknown[];
  delta: (runId: string, model: string, text: string) => unknown[];
  /** The closing events: why the answer ended, and the run's usage as the ledger has it. */
  end: (record: RunRecord, spend: RunSpend) => unknown[];
  error: (error: WireError) => unknown;
  done: string;
}

/**
 * Streams a run as Server-Sent Events. Headers wait for the first token, so a refusal before any text (over budget,
 * unknown model, provider down) is still an HTTP error the client understands; a failure after it is an error event.
 */
async function streamRun(deps: RouteDeps, r: GatewayRequest, call: ChatCall, format: StreamFormat): Promise<void> {
  const { res } = r;
  let opened = false;
  let runId = '';
  const send = (events: unknown[]) => {
    for (const event of events) {
      const type = (event as { type?: unknown }).type;
      const name = typeof type === 'string' && format.done === '' ? `event: ${type}\n` : '';
      res.write(`${name}data: ${JSON.stringify(event)}\n\n`);
    }
  };
  const open = (id: string, model: string) => {
    if (opened) return;
    opened = true;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'x-quire-run-id': id,
    });
    send(format.open(id, model));
  };
  const hooks: CallHooks = {
    cancel: abortOnClose(deps, r),
    onRun: (id) => (runId = id),
    // Every piece comes from one model: once text has gone out, the run does not fall back to another (run-chain.ts);
    // its failure ends the stream with an error event.
    onToken: (text, modelId) => {
      open(runId, modelId);
      send(format.delta(runId, modelId, text));
    },
  };
  let record: RunRecord;
  try {
    record = await deps.calls.chat(r.token, call, hooks);
  } catch (error) {
    const wireError = failedRun(deps, r, runId || null, error);
    if (!opened) return sendWireError(res, r.api, wireError);
    if (!res.writableEnded && !res.destroyed) {
      const body = format.error(wireError);
      res.write(`${format.done === '' ? 'event: error\n' : ''}data: ${JSON.stringify(body)}\n\n`);
      res.end();
    }
    return;
  }
  // A cached answer or a model that does not stream: the whole text as one piece.
  if (!opened) {
    open(record.run_id, record.model_id ?? '');
    if (record.text) send(format.delta(record.run_id, record.model_id ?? '', record.text));
  }
  send(format.end(record, deps.spent(record.run_id)));
  res.end(format.done);
}

/**
 * An embeddings request: its texts, the model (`quire/auto`, the default, is the loaded local model; a local model's
 * id names one) and the vectors' encoding. A name that picks models for writing (a tier, a task) names no embedding
 * model, and a parameter Quire cannot honour (`dimensions`) is refused rather than ignored.
 */
function parseEmbeddings(
  raw: unknown,
  listModels: () => ListedModel[],
): { model: string; texts: string[]; base64: boolean } {
  const body = (raw ?? {}) as { model?: unknown; input?: unknown; encoding_format?: unknown; dimensions?: unknown };
  const texts = embeddingTexts(body.input);
  const model = body.model ?? 'quire/auto';
  if (typeof model !== 'string') {
    throw wire.invalid('model: name a model as a string: "quire/auto" or a local model\'s id.', 'model');
  }
  if (model !== 'quire/auto' && model.startsWith('quire/') && listModels().some((m) => m.id === model)) {
    throw wire.invalid(
      `model: "${model}" chooses a model for writing work; embeddings come from a loaded local model. Use "quire/auto" or a local model's id (GET /v1/models lists them).`,
      'model',
    );
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw wire.invalid('encoding_format: send "float" or "base64".', 'encoding_format');
  }
  if (body.dimensions !== undefined && body.dimensions !== null) {
    throw wire.invalid(
      '"dimensions": Quire\'s gateway does not shorten embeddings; the local model\'s vectors come at their own length. Send the request without "dimensions"; nothing was charged.',
      'dimensions',
    );
  }
  return { model, texts, base64: format === 'base64' };
}

/**
 * The texts to embed: a string or a list of them, as OpenAI takes them (up to 2,048), each with some text. Token ids
 * (OpenAI's own form, which LangChain sends) are refused: they are ids in OpenAI's tokenizer, which no local model
 * shares, so embedding them would embed other words.
 */
function embeddingTexts(input: unknown): string[] {
  const list = typeof input === 'string' ? [input] : Array.isArray(input) ? (input as unknown[]) : null;
  if (list === null || list.length === 0) {
    throw wire.invalid('input: send the text to embed, as a string or a list of strings.', 'input');
  }
  if (list.every((item) => typeof item === 'number' || Array.isArray(item))) {
    throw wire.invalid(
      "input: Quire's local models embed text, not token ids: ids counted by OpenAI's tokenizer stand for other words in a local model's vocabulary. Send the texts themselves (LangChain's OpenAIEmbeddings does with check_embedding_ctx_length=False).",
      'input',
    );
  }
  if (list.length > MAX_EMBEDDING_INPUTS) {
    throw wire.invalid(
      `input: send at most ${MAX_EMBEDDING_INPUTS.toLocaleString('en-US')} texts in one request (this one has ${list.length.toLocaleString('en-US')}); send the rest in another request.`,
      'input',
    );
  }
  list.forEach((item, i) => {
    if (typeof item !== 'string') {
      throw wire.invalid(`${inputName(i, list.length)} is not a string: send each input as text.`, 'input');
    }
    if (item === '') {
      throw wire.invalid(
        `${inputName(i, list.length)} is an empty string: there is no text to embed. Leave empty texts out of the request.`,
        'input',
      );
    }
  });
  return list as string[];
}
