// The benchmark's client, in a worker thread: an app calling Quire runs in another process, so its reading of the
// stream must not wait on the host's event loop (a synchronous ledger commit would otherwise delay it in the figures).
import { parentPort } from 'node:worker_threads';
import OpenAI from 'openai';

export interface ClientJob {
  baseURL: string;
  apiKey: string;
  model: string;
  stream: boolean;
  /** Extra request headers (Portkey's routing headers). */
  headers?: Record<string, string>;
  /** Instead of the SDK: POST this runs:start payload to a browser host at baseURL (`/api/runs:start`). */
  hostRun?: Record<string, unknown>;
  count: number;
  concurrency: number;
}

export interface Sample {
  total: number;
  firstToken: number;
}

const MESSAGES = [{ role: 'user' as const, content: 'Check chapter 3 against chapter 2.' }];
const clients = new Map<string, OpenAI>();

async function call(client: OpenAI, model: string, stream: boolean): Promise<Sample> {
  const start = performance.now();
  // temperature > 0: never answered from Quire's run cache, so every gateway call reaches the provider.
  const body = { model, messages: MESSAGES, max_tokens: 200, temperature: 0.7 };
  if (!stream) {
    await client.chat.completions.create(body);
    const total = performance.now() - start;
    return { total, firstToken: total };
  }
  let firstToken = Number.NaN;
  const s = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of s) {
    if (Number.isNaN(firstToken) && chunk.choices[0]?.delta.content) firstToken = performance.now() - start;
  }
  return { total: performance.now() - start, firstToken };
}

/** runs:start through the browser host, as the renderer in a browser calls it: the whole result in one reply. */
async function hostCall(baseURL: string, payload: Record<string, unknown>): Promise<Sample> {
  const start = performance.now();
  const response = await fetch(`${baseURL}/api/runs:start`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const envelope = (await response.json()) as { ok: boolean; error?: unknown };
  if (!envelope.ok) throw new Error(JSON.stringify(envelope.error));
  const total = performance.now() - start;
  return { total, firstToken: total };
}

parentPort!.on('message', (job: ClientJob) => {
  const key = `${job.baseURL} ${job.apiKey} ${JSON.stringify(job.headers ?? {})}`;
  let client = clients.get(key);
  if (!client) {
    const options = { baseURL: job.baseURL, apiKey: job.apiKey, maxRetries: 0, defaultHeaders: job.headers };
    clients.set(key, (client = new OpenAI(options)));
  }
  const samples: Sample[] = [];
  let next = 0;
  void Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < job.count) {
        next++;
        samples.push(await (job.hostRun ? hostCall(job.baseURL, job.hostRun) : call(client, job.model, job.stream)));
      }
    }),
  ).then(
    () => parentPort!.postMessage({ ok: true, samples }),
    (error: unknown) => parentPort!.postMessage({ ok: false, error: String(error) }),
  );
});
