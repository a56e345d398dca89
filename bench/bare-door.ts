// The gateway bench's reference door: node:http in the bench's main thread in front of the same `openai` SDK calling
// the loopback provider, and nothing of Quire's (no token, no decision, no ledger, no record). What any HTTP server
// in Quire's thread pays on this machine for the hop alone, to read the HTTP rows against.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

export interface BareDoor {
  /** Its OpenAI base URL; every call goes to the provider's `model` whatever the request names. */
  readonly baseURL: string;
  close(): Promise<void>;
}

export async function startBareDoor(providerBaseUrl: string, model: string): Promise<BareDoor> {
  const client = new OpenAI({ baseURL: providerBaseUrl, apiKey: 'x', maxRetries: 0 });
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as ChatCompletionCreateParamsNonStreaming;
    if (!body.stream) {
      const completion = await client.chat.completions.create({ ...body, model });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion));
      return;
    }
    const stream = await client.chat.completions.create({ ...body, model, stream: true });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const chunk of stream) res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    res.end('data: [DONE]\n\n');
  };
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
