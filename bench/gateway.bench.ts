// The gateway's added latency: the same `openai` SDK calling the loopback fake provider directly versus through
// Quire's gateway (every call a run: decide, reserve, call, settle — two durable ledger commits), non-streaming and
// streaming, at concurrency 1 and 8, plus the added time to the first streamed token. Interleaved rounds, one run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/infra/logger';
import { startFakeLlmServer } from '../test/support/fake-llm-server';
import { percentile } from './stats';

const MESSAGES = [{ role: 'user' as const, content: 'Check chapter 3 against chapter 2.' }];

interface Sample {
  total: number;
  firstToken: number;
}

type Call = () => Promise<Sample>;

function caller(client: OpenAI, model: string, stream: boolean): Call {
  return async () => {
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
  };
}

/** `count` calls spread over `concurrency` workers; each call's own latency. */
async function measure(call: Call, count: number, concurrency: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        samples.push(await call());
      }
    }),
  );
  return samples;
}

const p = (xs: number[], q: number) => percentile(xs, q);
const f = (x: number) => x.toFixed(3);

export async function benchGateway(): Promise<void> {
  const server = await startFakeLlmServer({ port: 0 });
  server.script('primary', {
    text: 'The timeline holds across chapters three and four, and the door stays blue throughout.',
    inputTokens: 800,
    outputTokens: 60,
  });
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-gateway-'));
  const app = await createApp({
    dataDir: dir,
    logger: silentLogger,
    env: {},
    gateway: { port: 0, concurrencyPerToken: 64 },
  });
  try {
    app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
    const saved = await app.dispatcher.call(
      'providers:save',
      {
        id: 'main',
        kind: 'openai-compatible',
        base_url: server.openaiBaseUrl,
        models: [
          {
            id: 'primary',
            quality: 9,
            strengths: ['narrative_continuity'],
            input_usd_per_mtok: 1,
            output_usd_per_mtok: 2,
          },
        ],
      },
      { transport: 'internal' },
    );
    if (!saved.ok) throw new Error(JSON.stringify(saved.error));
    const state = await app.services.gateway.set({ enabled: true });
    const { token } = app.services.gateway.createToken({ name: 'bench' });
    const direct = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const gateway = new OpenAI({ apiKey: token, baseURL: state.url, maxRetries: 0 });
    const modes = [
      { label: 'non-streaming', stream: false },
      { label: 'streaming', stream: true },
    ];
    for (const concurrency of [1, 8]) {
      for (const mode of modes) {
        const a = caller(direct, 'primary', mode.stream);
        const b = caller(gateway, 'main/primary', mode.stream);
        // The same run without the gateway's HTTP door: what the gateway itself adds over runs:start's path.
        const c: Call = async () => {
          const start = performance.now();
          let firstToken = Number.NaN;
          await app.services.runs.start(
            { task: 'brainstorm', input: MESSAGES, model: 'main/primary', max_output_tokens: 200, temperature: 0.7 },
            { onToken: () => void (Number.isNaN(firstToken) && (firstToken = performance.now() - start)) },
          );
          return { total: performance.now() - start, firstToken };
        };
        await measure(a, 30, concurrency);
        await measure(b, 30, concurrency);
        await measure(c, 30, concurrency);
        const da: Sample[] = [];
        const gb: Sample[] = [];
        const rc: Sample[] = [];
        // Interleaved rounds so drift (other processes, GC) hits all three alike.
        for (let round = 0; round < 5; round++) {
          da.push(...(await measure(a, 60, concurrency)));
          gb.push(...(await measure(b, 60, concurrency)));
          rc.push(...(await measure(c, 60, concurrency)));
        }
        const rt = rc.map((s) => s.total);
        const dt = da.map((s) => s.total);
        const gt = gb.map((s) => s.total);
        console.log(
          `${mode.label}, concurrency ${concurrency}: direct p50 ${f(p(dt, 50))} ms p99 ${f(p(dt, 99))} ms; ` +
            `gateway p50 ${f(p(gt, 50))} ms p99 ${f(p(gt, 99))} ms; ` +
            `added p50 ${f(p(gt, 50) - p(dt, 50))} ms p99 ${f(p(gt, 99) - p(dt, 99))} ms; ` +
            `ratio p50 ${(p(gt, 50) / p(dt, 50)).toFixed(2)}; ` +
            `runs.start alone p50 ${f(p(rt, 50))} ms p99 ${f(p(rt, 99))} ms (gateway over it: p50 ${f(p(gt, 50) - p(rt, 50))} ms)`,
        );
        if (mode.stream) {
          const df = da.map((s) => s.firstToken);
          const gf = gb.map((s) => s.firstToken);
          const rf = rc.map((s) => s.firstToken);
          console.log(
            `  first streamed token, concurrency ${concurrency}: direct p50 ${f(p(df, 50))} ms; gateway p50 ${f(p(gf, 50))} ms; ` +
              `added p50 ${f(p(gf, 50) - p(df, 50))} ms p99 ${f(p(gf, 99) - p(df, 99))} ms; ratio ${(p(gf, 50) / p(df, 50)).toFixed(2)}; ` +
              `runs.start alone p50 ${f(p(rf, 50))} ms`,
          );
        }
      }
    }
    const month = app.services.ledger.monthOf(new Date());
    const apps = app.services.gateway.byApp(month).apps;
    console.log(`ledger: ${apps[0]?.calls ?? 0} gateway calls recorded under "${apps[0]?.name ?? '-'}"`);
  } finally {
    await app.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
