// The gateway's HTTP doors on 127.0.0.1: the Host guard against DNS rebinding (the browser host's own check), CORS
// only for the origins the writer added (Private Network Access preflight included), a bearer token (or x-api-key)
// per app, a body limit, and every refusal in the calling API's error shape. Routes go to the wire handlers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readOrigin, type OriginReading } from '../../src-preload/contract/web-origin';
import { loopbackHost, readBody } from '../transport/http-host';
import type { TokenRow } from './gateway-repo';
import { sendWireError, toWireError, wire, type WireApi } from './wire-errors';

export interface GatewayRequest {
  api: WireApi;
  token: TokenRow;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
}

export interface GatewayRoutes {
  authenticate(secret: string): TokenRow | undefined;
  /** Takes one of the token's seats before the body is read (a WireError when none is free); returns its release. */
  seat(token: TokenRow): () => void;
  origins(): readonly string[];
  maxBodyBytes: number;
  chatCompletions(r: GatewayRequest): Promise<void>;
  messages(r: GatewayRequest): Promise<void>;
  embeddings(r: GatewayRequest): Promise<void>;
  models(r: GatewayRequest): void;
  /** GET /v1/models/{id}: the SDKs' models.retrieve. */
  model(r: GatewayRequest, id: string): void;
}

export interface GatewayServer {
  readonly port: number;
  close(): Promise<void>;
}

const POST_ROUTES: Record<string, keyof Pick<GatewayRoutes, 'chatCompletions' | 'messages' | 'embeddings'>> = {
  '/v1/chat/completions': 'chatCompletions',
  '/v1/messages': 'messages',
  '/v1/embeddings': 'embeddings',
};

/**
 * The headers an app's own code must read, past the ones a browser shows any page: whether to retry (each retry of a
 * charged call is a new charge), how long to wait, and the run and its cost.
 */
const EXPOSED_HEADERS = 'x-should-retry, retry-after, x-quire-run-id, x-quire-cost-usd';

export async function startGatewayServer(routes: GatewayRoutes, port: number): Promise<GatewayServer> {
  let bound = port;
  const server: Server = createServer((req, res) => {
    const api: WireApi =
      (req.url ?? '').startsWith('/v1/messages') || req.headers['anthropic-version'] ? 'anthropic' : 'openai';
    handle(req, res, api).catch((error: unknown) => sendWireError(res, api, toWireError(error)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, api: WireApi): Promise<void> {
    // An allowed origin's CORS headers are set first, on the response itself (every writeHead merges them): an answer
    // without them is a network error to the page, even a refusal or a failure that was charged, and the openai SDK
    // retries a network error, a new charged call each time.
    const origin = req.headers.origin;
    const read = origin === undefined ? undefined : readOrigin(origin);
    const allowed =
      origin !== undefined && read !== undefined && 'origin' in read && routes.origins().includes(read.origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      res.setHeader('Vary', 'Origin');
    }
    if (!loopbackHost(req.headers.host, bound)) {
      req.resume();
      return sendWireError(res, api, wire.forbidden('Forbidden: this server answers only 127.0.0.1 and localhost.'));
    }
    if (origin !== undefined && !allowed) {
      req.resume();
      return sendWireError(res, api, wire.forbidden(originRefused(origin, read!)));
    }
    // Only a browser's preflight carries an Origin (refused above unless allowed); an OPTIONS without one is any other
    // client's request and is answered as one, by the route and method checks below.
    if (req.method === 'OPTIONS' && allowed) return preflight(req, res);

    const path = pathOf(req.url);
    if (path === null) {
      req.resume();
      return sendWireError(res, api, wire.invalid("Quire's gateway cannot read this request's address."));
    }
    const route = POST_ROUTES[path];
    // A model's id may hold a slash (quire/auto): the SDKs send it encoded (quire%2Fauto), curl as it is.
    const modelId = path.startsWith('/v1/models/') ? idOf(path.slice('/v1/models/'.length)) : undefined;
    const isModels = path === '/v1/models' || modelId !== undefined;
    if (!route && !isModels) {
      req.resume();
      return sendWireError(res, api, wire.notFound(unknownPath(path, `http://127.0.0.1:${bound}`)));
    }
    // Each route answers one method, whoever asks (a browser opening the address is told, not asked for a token).
    const method = route ? 'POST' : 'GET';
    // HEAD wherever GET is, as HTTP has it: Node sends its headers and leaves out the body.
    if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) {
      req.resume();
      res.setHeader('Allow', method);
      return sendWireError(res, api, wire.wrongMethod(`Use ${method} for ${path} (this request used ${req.method}).`));
    }
    const token = authenticate(req);
    if (!token) {
      req.resume();
      return sendWireError(
        res,
        api,
        wire.unauthorized(
          'A valid Quire access token is required (create one in Quire → Settings → Let other apps use Quire).',
        ),
      );
    }
    if (isModels) {
      const r = { api, token, body: undefined, req, res };
      return modelId === undefined ? routes.models(r) : routes.model(r, modelId);
    }
    // A seat before a byte of the body is read, held until the request is answered (or its app hung up mid-body).
    let release: () => void;
    try {
      release = routes.seat(token);
    } catch (error) {
      req.resume();
      throw error;
    }
    try {
      // The token may be revoked, or its limits changed, while the body arrives: the call reads it again (GatewayCalls).
      const raw = await readBody(req, routes.maxBodyBytes);
      if (raw === 'too_large') return sendWireError(res, api, wire.tooLarge(routes.maxBodyBytes));
      let body: unknown;
      try {
        // TextDecoder drops a leading byte order mark, which Windows tools write before UTF-8 text and JSON.parse refuses.
        body = JSON.parse(new TextDecoder().decode(raw));
      } catch (error) {
        return sendWireError(res, api, wire.invalid(`The request body is not valid JSON: ${(error as Error).message}`));
      }
      await routes[route!]({ api, token, body, req, res });
    } finally {
      release();
    }
  }

  /**
   * The app's token, from `Authorization: Bearer` (the scheme in any case, as HTTP has it) or `x-api-key`. An
   * Anthropic client may send both, its Bearer another provider's key: each is tried, so a Quire token in either one
   * is found.
   */
  function authenticate(req: IncomingMessage): TokenRow | undefined {
    const bearer = /^bearer\s+(.*)$/i.exec(req.headers.authorization ?? '')?.[1];
    const key = req.headers['x-api-key'];
    for (const secret of [bearer, typeof key === 'string' ? key : undefined]) {
      const token = secret?.trim() ? routes.authenticate(secret.trim()) : undefined;
      if (token) return token;
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Why a page's origin was refused, and the step that allows it: the very address Settings takes, or why none can. */
function originRefused(origin: string, read: OriginReading): string {
  if ('problem' in read)
    return `Web pages from ${origin} may not call Quire, and Settings cannot allow them: ${read.problem}`;
  return `Web pages from ${origin} may not call Quire. To allow them, add ${read.origin} under "Web apps allowed" in Quire → Settings → AI Intelligence → Let other apps use Quire.`;
}

/** A browser's CORS preflight from an allowed origin, including Chromium's Private Network Access request. */
function preflight(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers':
      typeof requested === 'string' && requested
        ? requested
        : 'authorization, content-type, x-api-key, anthropic-version',
    'Access-Control-Max-Age': '600',
    ...(req.headers['access-control-request-private-network'] === 'true'
      ? { 'Access-Control-Allow-Private-Network': 'true' }
      : {}),
  });
  res.end();
}

function isRoute(path: string): boolean {
  return Object.hasOwn(POST_ROUTES, path) || path === '/v1/models' || path.startsWith('/v1/models/');
}

/**
 * What a request to an address the gateway does not answer is told. A route under the wrong prefix is a base URL set
 * wrongly, and says which to set: Anthropic's SDK adds /v1 itself, so the base URL Settings shows (…/v1) doubles it;
 * OpenAI's does not, so the bare address leaves it out.
 */
function unknownPath(path: string, root: string): string {
  const shown = path || '/';
  if (path.startsWith('/v1/v1/') && isRoute(path.slice(3)))
    return `Quire's gateway has no ${shown}: /v1 is in it twice. Set the client's base URL to ${root} (Anthropic's SDK adds /v1 itself).`;
  if (isRoute(`/v1${path}`))
    return `Quire's gateway has no ${shown}: its addresses start with /v1. Set the client's base URL to ${root}/v1.`;
  return `Quire's gateway has no ${shown}. It answers POST /v1/chat/completions, /v1/messages and /v1/embeddings, and GET /v1/models.`;
}

/** A path segment decoded (quire%2Fauto is quire/auto); as it is when it is not valid percent-encoding. */
function idOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request target's path without a trailing slash; null when the target is not a URL (`GET http://[`). */
function pathOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1').pathname.replace(/\/$/, '');
  } catch {
    return null;
  }
}
