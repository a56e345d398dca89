// A loopback server speaking the OpenAI chat-completions and Anthropic messages wire formats (JSON and SSE), scripted
// per model with answers, token counts and faults, so the real SDKs can be tested without any cloud API.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readImageSize, sniffImageType } from '../../src-preload/contract/images';
import { imageTokensBy, makerImageRule } from '../../src-main/orchestrator/image-tokens';

export type FakeFault =
  /** Answer with this HTTP status and an error body in the provider's format. */
  | { kind: 'status'; status: number; message?: string }
  /** 429 with a Retry-After header (seconds, as sent). */
  | { kind: 'rate_limit'; retryAfter: string }
  /** Accept the request and never answer (until the client gives up or the server closes). */
  | { kind: 'hang' }
  /** Read the whole request, then close the connection without a byte of answer (a provider that may have billed it). */
  | { kind: 'drop' }
  /** Stream this many text chunks, then destroy the connection (streaming requests; JSON requests reset at once). */
  | { kind: 'reset'; afterTokens: number }
  /** Stream this many text chunks, then send nothing more until the client goes (a writer's stop mid-answer). */
  | { kind: 'stall'; afterTokens: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed_json' }
  /** 200 with text/html instead of JSON or an event stream. */
  | { kind: 'wrong_content_type' };

export interface FakeModelScript {
  /** The answer text; split on spaces into stream chunks (one chunk per word). */
  text?: string;
  /** A structured answer: returned as the JSON text (OpenAI) or a tool_use input (Anthropic). */
  json?: unknown;
  /**
   * Answers for the next requests, one per request, in order (then `text` / `json` answer the rest): a bad answer and
   * then its repair, say. A reply with `text` is sent as text even when JSON was asked for (a model's broken answer).
   */
  replies?: { text?: string; json?: unknown }[];
  /**
   * Answers each request from what it says (after `replies` run out): a fake that reads the messages, such as a
   * continuity checker that remembers what the story so far told it. Its token counts are `inputTokens` etc.
   */
  respond?: (request: RecordedRequest) => { text?: string; json?: unknown };
  /** Defaults: 10 input tokens, one output token per chunk. */
  inputTokens?: number;
  outputTokens?: number;
  /** Of inputTokens, served from the prompt cache (OpenAI cached_tokens / Anthropic cache_read_input_tokens). */
  cachedInputTokens?: number;
  /** Of inputTokens, written to the cache (Anthropic cache_creation_input_tokens). */
  cacheWriteTokens?: number;
  reasoningTokens?: number;
  /** Faults applied to the next requests, one per request, in order; then the model answers normally. */
  faults?: FakeFault[];
  /** A fault applied to every request (after `faults` run out). */
  alwaysFault?: FakeFault;
  /** After this many requests, every further one hangs (a provider that stops answering mid-job). */
  hangAfter?: number;
  /** The answer stopped at its max tokens (finish_reason `length`, stop_reason `max_tokens`). */
  truncated?: boolean;
  /**
   * The provider's content filter stopped the answer after its text (none: before a word): finish_reason
   * `content_filter`, Anthropic's stop_reason `refusal`.
   */
  filtered?: boolean;
  /**
   * The model declines in these words (OpenAI structured outputs): `content` null and `refusal` set, streamed as
   * refusal deltas. Anthropic has no refusal text: it answers nothing with stop_reason `refusal`.
   */
  refusal?: string;
  /** Omit the usage fields entirely (a provider that reports nothing). */
  omitUsage?: boolean;
  /**
   * OpenAI wire format: a server that says which stop sequence ended the answer, as vLLM does (the choice's
   * `stop_reason`: the sequence, null otherwise). OpenAI's own API says only `finish_reason: "stop"`.
   */
  saysStop?: boolean;
  /**
   * A text-only model: a request carrying images is refused with a 400, as OpenAI and Anthropic refuse image input to
   * a model without vision. (Every other model sees images and counts them into its input tokens by its maker's rule.)
   */
  refusesImages?: boolean;
  /** Requests wait for this before being answered (hold calls in flight; resolve to let them through). */
  gate?: Promise<void>;
  /** More fields of the model's entry in GET …/models, as a server sends them (vLLM's `max_model_len`, say). */
  listed?: Record<string, unknown>;
  /** Every request waits this long before its answer starts: a provider's latency, for benchmarks. */
  latencyMs?: number;
  /**
   * Streaming (OpenAI wire format): the headers and the opening chunk go out at once, the first text only when this
   * settles: a slow-but-working model's time to first token, driven by the test (a promise, not a sleep).
   */
  firstTokenAfter?: Promise<void>;
}

export interface RecordedRequest {
  api: 'openai' | 'anthropic';
  path: string;
  model: string;
  stream: boolean;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
  /** The images the request carried, decoded: what arrived (size, hash) and what they were counted as. */
  images: ReceivedImage[];
}

export interface ReceivedImage {
  /** The type the request declared. */
  media_type: string;
  /** The bytes' own format (their magic number), null when they are not an image. */
  sniffed: string | null;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  /** OpenAI's `detail` ("high", "low", "auto"); null for Anthropic. */
  detail: string | null;
  /** Input tokens this image was counted as (added to the usage reported). */
  tokens: number;
}

export interface FakeLlmServer {
  /** e.g. http://127.0.0.1:5555 */
  readonly url: string;
  /** baseURL for the openai client (…/v1). */
  readonly openaiBaseUrl: string;
  /** baseURL for the @anthropic-ai/sdk client (it appends /v1/messages). */
  readonly anthropicBaseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Sets (replaces) the script of one model id; unknown models answer "ok" with default counts. */
  script(model: string, script: FakeModelScript): void;
  /** Resolves with the next request for `model` (already recorded) as soon as it arrives. */
  nextRequest(model: string): Promise<RecordedRequest>;
  /** Clears scripts and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_INPUT_TOKENS = 10;

export async function startFakeLlmServer(options: { port?: number } = {}): Promise<FakeLlmServer> {
  const scripts = new Map<string, FakeModelScript>();
  /** Requests each model has had since it was scripted (for `hangAfter`). */
  const seenBy = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const waiters: { model: string; resolve: (request: RecordedRequest) => void }[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const api = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/messages') ? 'anthropic' : null;
    const raw = await readBody(req);
    if (req.method === 'GET' && path.endsWith('/models')) {
      listModels(req, res, path);
      return;
    }
    if (req.method !== 'POST' || api === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"bad json"}}');
      return;
    }
    const model = typeof body.model === 'string' ? body.model : '';
    const stream = body.stream === true;
    const images = receivedImages(api, model, body);
    const recorded: RecordedRequest = { api, path, model, stream, headers: { ...req.headers }, body, images };
    requests.push(recorded);
    for (const waiter of waiters.splice(0).filter((w) => (w.model === model ? (w.resolve(recorded), false) : true)))
      waiters.push(waiter);
    const script = scripts.get(model) ?? {};
    const unversioned = api === 'anthropic' ? samplingUnder2026(req, body) : null;
    if (unversioned) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(api, 400, `${unversioned}: Extra inputs are not permitted`)));
      return;
    }
    if (script.refusesImages && images.length > 0) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(api, 400, `${model} does not support image input`)));
      return;
    }
    const seen = (seenBy.get(model) ?? 0) + 1;
    seenBy.set(model, seen);
    const hangs = script.hangAfter !== undefined && seen > script.hangAfter;
    const fault = script.faults?.shift() ?? (hangs ? ({ kind: 'hang' } as const) : script.alwaysFault);
    const reply = fault ? undefined : (script.replies?.shift() ?? script.respond?.(recorded));
    const imageTokens = images.reduce((sum, image) => sum + image.tokens, 0);
    const answer = resolveAnswer(
      reply ? { ...script, text: reply.text, json: reply.json } : script,
      imageTokens,
      stopsOf(body),
    );
    if (script.gate) await script.gate;
    if (script.latencyMs) await new Promise((resolve) => setTimeout(resolve, script.latencyMs));
    if (fault && applyFault(fault, api, res, req)) return;
    const resetAfter = fault?.kind === 'reset' ? fault.afterTokens : undefined;
    const stallAfter = fault?.kind === 'stall' ? fault.afterTokens : undefined;
    if (api === 'openai') {
      if (stream) await openAiStream(res, model, body, answer, resetAfter, stallAfter, script.firstTokenAfter);
      else if (resetAfter !== undefined) res.destroy();
      else sendJson(res, openAiJson(model, answer));
    } else if (stream) anthropicStream(res, model, answer, resetAfter, stallAfter);
    else if (resetAfter !== undefined) res.destroy();
    else sendJson(res, anthropicJson(model, answer));
  }

  /** GET …/models: the key test. A script for "__models__" with faults decides the answer (e.g. 401). */
  function listModels(req: IncomingMessage, res: ServerResponse, path: string): void {
    const api = req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
    requests.push({ api, path, model: '__models__', stream: false, headers: { ...req.headers }, body: {}, images: [] });
    const script = scripts.get('__models__') ?? {};
    const fault = script.faults?.shift() ?? script.alwaysFault;
    if (fault && applyFault(fault, api, res, req)) return;
    const data = [...scripts.entries()]
      .filter(([m]) => m !== '__models__')
      .map(([id, model]) => ({ id, object: 'model', type: 'model', ...model.listed }));
    sendJson(res, { object: 'list', data, has_more: false, first_id: null, last_id: null });
  }

  /** Returns true when the fault answered the request (reset is applied by the writers). */
  function applyFault(fault: FakeFault, api: 'openai' | 'anthropic', res: ServerResponse, req: IncomingMessage) {
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody(api, fault.status, fault.message ?? `fake error ${fault.status}`)));
        return true;
      case 'rate_limit':
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': fault.retryAfter });
        res.end(JSON.stringify(errorBody(api, 429, 'rate limited')));
        return true;
      case 'hang':
        req.socket.setTimeout(0);
        return true;
      case 'drop':
        res.destroy();
        return true;
      case 'malformed_json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "x", "choices": [ {oops');
        return true;
      case 'wrong_content_type':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Gateway says hello</body></html>');
        return true;
      case 'reset':
      case 'stall':
        return false;
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    requests,
    script(model, script) {
      seenBy.delete(model);
      scripts.set(model, { ...script, faults: [...(script.faults ?? [])], replies: [...(script.replies ?? [])] });
      if (script.gate) void script.gate.catch(() => undefined);
    },
    nextRequest(model) {
      return new Promise((resolve) => waiters.push({ model, resolve }));
    },
    reset() {
      scripts.clear();
      seenBy.clear();
      requests.length = 0;
      waiters.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Answer {
  truncated: boolean;
  /** Say which stop sequence ended the answer on the OpenAI wire (FakeModelScript.saysStop). */
  saysStop: boolean;
  filtered: boolean;
  refusal?: string;
  /** The stop sequence the answer ended before (Anthropic says which: stop_reason `stop_sequence`). */
  stoppedAt?: string;
  chunks: string[];
  text: string;
  json: unknown;
  usage: {
    input: number;
    output: number;
    cached: number;
    cacheWrite: number;
    reasoning: number;
  } | null;
}

/** The maker whose image rule a model on this wire format is counted by. */
function makerOf(api: 'openai' | 'anthropic', model: string): string {
  if (api === 'anthropic') return 'anthropic';
  return /^gemini/.test(model) ? 'gemini' : /^qwen/.test(model) ? 'qwen' : 'openai';
}

/**
 * Images as each wire format carries them: OpenAI `image_url` parts with data URLs (a low-detail image counts its base
 * tokens only), Anthropic `image` blocks with a base64 source. Decoded and measured here, so a test sees what arrived.
 */
function receivedImages(api: 'openai' | 'anthropic', model: string, body: Record<string, unknown>): ReceivedImage[] {
  const rule = makerImageRule(makerOf(api, model), model);
  const found: ReceivedImage[] = [];
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content as Record<string, unknown>[]) {
      const sent = imagePart(api, part);
      if (!sent) continue;
      const { mediaType, data, detail } = sent;
      const bytes = Buffer.from(data, 'base64');
      const size = readImageSize(bytes) ?? { width: 0, height: 0 };
      const full = size.width > 0 ? imageTokensBy(rule, size) : 0;
      const low = rule.kind === 'tiles' ? rule.base : full;
      found.push({
        media_type: mediaType,
        sniffed: sniffImageType(bytes),
        bytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        ...size,
        detail,
        tokens: detail === 'low' ? low : full,
      });
    }
  }
  return found;
}

/** An image content part's type, base64 and OpenAI detail; null for any other part. */
function imagePart(
  api: 'openai' | 'anthropic',
  part: Record<string, unknown>,
): { mediaType: string; data: string; detail: string | null } | null {
  if (api === 'openai' && part.type === 'image_url') {
    const image = part.image_url as { url: string; detail?: string };
    const match = /^data:([^;]+);base64,(.*)$/s.exec(image.url);
    return match ? { mediaType: match[1]!, data: match[2]!, detail: image.detail ?? 'auto' } : null;
  }
  if (api === 'anthropic' && part.type === 'image') {
    const source = part.source as { type: string; media_type: string; data: string };
    return source.type === 'base64' ? { mediaType: source.media_type, data: source.data, detail: null } : null;
  }
  return null;
}

/**
 * Anthropic's API version 2026-10-21 (the one @anthropic-ai/sdk 1.x sends) takes no sampling parameters: the first one
 * a request under it carries, which the API refuses with a 400; null when it carries none or asks for another version.
 */
function samplingUnder2026(req: IncomingMessage, body: Record<string, unknown>): string | null {
  if (req.headers['anthropic-version'] !== '2026-10-21') return null;
  return ['temperature', 'top_p', 'top_k'].find((param) => body[param] !== undefined) ?? null;
}

/** The request's stop sequences, as each wire format sends them (OpenAI's `stop`, Anthropic's `stop_sequences`). */
function stopsOf(body: Record<string, unknown>): string[] {
  const stop = body.stop ?? body.stop_sequences;
  return (typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : []).filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
}

/** A text answer ends before the first stop sequence it holds, as a provider stops generating there. */
function resolveAnswer(script: FakeModelScript, imageTokens = 0, stops: readonly string[] = []): Answer {
  let text = script.json !== undefined ? JSON.stringify(script.json) : (script.text ?? 'ok');
  let stoppedAt: string | undefined;
  if (script.json === undefined) {
    for (const stop of stops) {
      const at = text.indexOf(stop);
      if (at >= 0 && (stoppedAt === undefined || at < text.indexOf(stoppedAt))) stoppedAt = stop;
    }
    if (stoppedAt !== undefined) text = text.slice(0, text.indexOf(stoppedAt));
  }
  if (script.refusal !== undefined) text = '';
  const chunks = script.json !== undefined ? splitJson(text) : text.split(/(?<= )/);
  return {
    truncated: script.truncated === true,
    saysStop: script.saysStop === true,
    filtered: script.filtered === true,
    ...(script.refusal !== undefined ? { refusal: script.refusal } : {}),
    ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    chunks,
    text,
    json: script.json,
    usage: script.omitUsage
      ? null
      : {
          input: (script.inputTokens ?? DEFAULT_INPUT_TOKENS) + imageTokens,
          output: script.outputTokens ?? chunks.length,
          cached: script.cachedInputTokens ?? 0,
          cacheWrite: script.cacheWriteTokens ?? 0,
          reasoning: script.reasoningTokens ?? 0,
        },
  };
}

function splitJson(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 8) parts.push(text.slice(i, i + 8));
  return parts;
}

function errorBody(api: 'openai' | 'anthropic', status: number, message: string) {
  return api === 'openai'
    ? { error: { message, type: status === 429 ? 'rate_limit_error' : 'server_error', code: null } }
    : { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : 'api_error', message } };
}

function openAiUsage(answer: Answer) {
  if (!answer.usage) return undefined;
  const u = answer.usage;
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached },
    completion_tokens_details: { reasoning_tokens: u.reasoning },
  };
}

function openAiJson(model: string, answer: Answer) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.refusal !== undefined ? null : answer.text,
          refusal: answer.refusal ?? null,
        },
        finish_reason: openAiFinish(answer),
        ...openAiStopReason(answer),
        logprobs: null,
      },
    ],
    ...(answer.usage ? { usage: openAiUsage(answer) } : {}),
  };
}

async function openAiStream(
  res: ServerResponse,
  model: string,
  body: Record<string, unknown>,
  answer: Answer,
  resetAfter: number | undefined,
  stallAfter?: number,
  firstTokenAfter?: Promise<void>,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  if (firstTokenAfter) await firstTokenAfter;
  if (res.destroyed) return;
  for (const [i, chunk] of answer.chunks.entries()) {
    if (resetAfter !== undefined && i >= resetAfter) {
      cut(res);
      return;
    }
    if (stallAfter !== undefined && i >= stallAfter) {
      res.socket?.setTimeout(0);
      return;
    }
    send({ ...base, choices: [{ index: 0, delta: { content: chunk }, finish_reason: null }] });
  }
  for (const words of answer.refusal?.split(/(?<= )/) ?? [])
    send({ ...base, choices: [{ index: 0, delta: { refusal: words }, finish_reason: null }] });
  send({
    ...base,
    choices: [{ index: 0, delta: {}, finish_reason: openAiFinish(answer), ...openAiStopReason(answer) }],
  });
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage && answer.usage) send({ ...base, choices: [], usage: openAiUsage(answer) });
  res.end('data: [DONE]\n\n');
}

/** vLLM's `stop_reason` beside `finish_reason`, for a server that says which stop sequence ended the answer. */
function openAiStopReason(answer: Answer): { stop_reason?: string | null } {
  return answer.saysStop ? { stop_reason: answer.stoppedAt ?? null } : {};
}

function openAiFinish(answer: Answer): string {
  return answer.truncated ? 'length' : answer.filtered ? 'content_filter' : 'stop';
}

function anthropicUsage(answer: Answer) {
  const u = answer.usage;
  if (!u) return { input_tokens: 0, output_tokens: 0 };
  // Anthropic counts cache reads and writes apart from input_tokens.
  return {
    input_tokens: u.input - u.cached - u.cacheWrite,
    output_tokens: u.output,
    cache_read_input_tokens: u.cached,
    cache_creation_input_tokens: u.cacheWrite,
  };
}

function anthropicStop(answer: Answer, isJson: boolean): string {
  if (answer.truncated) return 'max_tokens';
  if (answer.filtered || answer.refusal !== undefined) return 'refusal';
  if (isJson) return 'tool_use';
  return answer.stoppedAt !== undefined ? 'stop_sequence' : 'end_turn';
}

function anthropicContent(answer: Answer) {
  return answer.json !== undefined
    ? [{ type: 'tool_use', id: 'toolu_fake', name: 'answer', input: answer.json }]
    : [{ type: 'text', text: answer.text }];
}

function anthropicJson(model: string, answer: Answer) {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content: anthropicContent(answer),
    stop_reason: anthropicStop(answer, answer.json !== undefined),
    stop_sequence: answer.stoppedAt ?? null,
    usage: anthropicUsage(answer),
  };
}

function anthropicStream(
  res: ServerResponse,
  model: string,
  answer: Answer,
  resetAfter: number | undefined,
  stallAfter?: number,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const usage = anthropicUsage(answer);
  send('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  });
  const isJson = answer.json !== undefined;
  send('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: isJson
      ? { type: 'tool_use', id: 'toolu_fake', name: 'answer', input: {} }
      : { type: 'text', text: '' },
  });
  for (const [i, chunk] of answer.chunks.entries()) {
    if (resetAfter !== undefined && i >= resetAfter) {
      cut(res);
      return;
    }
    if (stallAfter !== undefined && i >= stallAfter) {
      res.socket?.setTimeout(0);
      return;
    }
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: isJson ? { type: 'input_json_delta', partial_json: chunk } : { type: 'text_delta', text: chunk },
    });
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: anthropicStop(answer, isJson), stop_sequence: answer.stoppedAt ?? null },
    usage: { output_tokens: usage.output_tokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

/** Drops the connection mid-body, after what was written so far has reached the client. */
function cut(res: ServerResponse): void {
  res.socket?.destroySoon();
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
