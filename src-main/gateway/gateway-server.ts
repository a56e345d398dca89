// The gateway's HTTP doors on 127.0.0.1: the Host guard against DNS rebinding (the browser host's own check), CORS
// only for the origins the writer added (Private Network Access preflight included), a bearer token (or x-api-key)
// per app, a body limit, and every refusal in the calling API's error shape. Routes go to the wire handlers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loopbackHost, readBody } from '../transport/http-host';
import type { TokenRow } from './gateway-repo';
import { sendWireError, toWireError, wire, type WireApi } from './wire-errors';

export interface GatewayRequest {
  api: WireApi;
  token: TokenRow;
  body: unknown;
  req: IncomingMessage;
  res: ServerResponse;
  /** CORS headers for this request's origin (empty when it has none). */
  cors: Record<string, string>;
}

export interface GatewayRoutes {
  authenticate(secret: string): TokenRow | undefined;
  origins(): readonly string[];
  maxBodyBytes: number;
  chatCompletions(r: GatewayRequest): Promise<void>;
  messages(r: GatewayRequest): Promise<void>;
  embeddings(r: GatewayRequest): Promise<void>;
  models(r: GatewayRequest): void;
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

export async function startGatewayServer(routes: GatewayRoutes, port: number): Promise<GatewayServer> {
  let bound = port;
  const server: Server = createServer((req, res) => {
    const api: WireApi =
      (req.url ?? '').startsWith('/v1/messages') || req.headers['anthropic-version'] ? 'anthropic' : 'openai';
    handle(req, res, api).catch((error: unknown) => sendWireError(res, api, toWireError(error)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, api: WireApi): Promise<void> {
    if (!loopbackHost(req.headers.host, bound)) {
      req.resume();
      return sendWireError(res, api, wire.forbidden('Forbidden: this server answers only 127.0.0.1 and localhost.'));
    }
    const origin = req.headers.origin;
    const allowed = origin !== undefined && routes.origins().includes(origin);
    if (origin !== undefined && !allowed) {
      req.resume();
      return sendWireError(
        res,
        api,
        wire.forbidden(`Web pages from ${origin} may not call Quire. Add the site in Quire's settings to allow it.`),
      );
    }
    const cors: Record<string, string> = allowed ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {};
    if (req.method === 'OPTIONS') return preflight(req, res, cors);

    const path = pathOf(req.url);
    if (path === null) {
      req.resume();
      return sendWireError(res, api, wire.invalid("Quire's gateway cannot read this request's address."), cors);
    }
    const route = POST_ROUTES[path];
    const isModels = path === '/v1/models';
    if (!route && !isModels) {
      req.resume();
      return sendWireError(res, api, wire.notFound(`Quire's gateway has no ${path}.`), cors);
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
        cors,
      );
    }
    if (isModels) {
      if (req.method !== 'GET') return sendWireError(res, api, wire.invalid('Use GET for /v1/models.'), cors);
      return routes.models({ api, token, body: undefined, req, res, cors });
    }
    if (req.method !== 'POST') {
      req.resume();
      return sendWireError(res, api, wire.invalid(`Use POST for ${path}.`), cors);
    }
    const raw = await readBody(req, routes.maxBodyBytes);
    if (raw === 'too_large') return sendWireError(res, api, wire.tooLarge(routes.maxBodyBytes), cors);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return sendWireError(
        res,
        api,
        wire.invalid(`The request body is not valid JSON: ${(error as Error).message}`),
        cors,
      );
    }
    await routes[route!]({ api, token, body, req, res, cors });
  }

  function authenticate(req: IncomingMessage): TokenRow | undefined {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const key = req.headers['x-api-key'];
    const secret = bearer ?? (typeof key === 'string' ? key.trim() : undefined);
    return secret ? routes.authenticate(secret) : undefined;
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

/** A browser's CORS preflight from an allowed origin, including Chromium's Private Network Access request. */
function preflight(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>): void {
  req.resume();
  if (!cors['Access-Control-Allow-Origin']) {
    res.writeHead(403).end();
    return;
  }
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    ...cors,
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

/** The request target's path without a trailing slash; null when the target is not a URL (`GET http://[`). */
function pathOf(target: string | undefined): string | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1').pathname.replace(/\/$/, '');
  } catch {
    return null;
  }
}
