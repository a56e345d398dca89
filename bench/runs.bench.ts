import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createApp, type App } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/infra/logger';
import { startFakeLlmServer, type FakeLlmServer } from '../test/support/fake-llm-server';
import { startHttpHost } from '../src-main/transport/http-host';
import { percentile, summary, timeEach } from './stats';

const TASK = 'continuity_check';
const price = { input_usd_per_mtok: 1, output_usd_per_mtok: 2, strengths: ['narrative_continuity'] };

async function setUp(server: FakeLlmServer, dir: string, primaryUrl?: string): Promise<App> {
  const app = await createApp({ dataDir: dir, logger: silentLogger, env: {} });
  app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
  const save = async (id: string, model: string, quality: number, url: string) => {
    const r = await app.dispatcher.call(
      'providers:save',
      { id, kind: 'openai-compatible', base_url: url, models: [{ id: model, quality, ...price }] },
      { transport: 'internal' },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  };
  await save('main', 'primary', 9.5, primaryUrl ?? server.openaiBaseUrl);
  await save('spare', 'backup', 9, server.openaiBaseUrl);
  return app;
}

async function freePortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return `http://127.0.0.1:${port}/v1`;
}

/** runs:start in-process and through the host versus the SDK calling the same loopback server; then failover times. */
export async function benchRuns(): Promise<void> {
  const server = await startFakeLlmServer({ port: 0 });
  // continuity_check answers with findings: the primary answers in that form (a plain-text answer would be repaired).
  server.script('primary', {
    json: {
      findings: [
        {
          claim: 'The timeline slips between chapters three and four.',
          evidence: [{ quote: 'Check chapter 3.', location: 'Chapter 3' }],
          severity: 'low',
          suggestion: 'Date the letter.',
        },
      ],
    },
    inputTokens: 800,
    outputTokens: 60,
  });
  server.script('backup', { json: { findings: [] }, inputTokens: 800, outputTokens: 20 });
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), 'quire-bench-runs-'));
    dirs.push(d);
    return d;
  };
  try {
    const sdk = new OpenAI({ apiKey: 'x', baseURL: server.openaiBaseUrl, maxRetries: 1 });
    const direct = async () => {
      const stream = await sdk.chat.completions.create({
        model: 'primary',
        messages: [{ role: 'user', content: 'Check chapter 3.' }],
        max_tokens: 1000,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) void chunk;
    };
    const app = await setUp(server, tmp());
    const host = await startHttpHost({ dispatcher: app.dispatcher, events: app.events, rendererDir: null, port: 0 });
    const payload = { task: TASK, input: 'Check chapter 3.', max_output_tokens: 1000 };
    const inProcess = () =>
      app.dispatcher.call('runs:start', payload, { transport: 'internal' }).then((r) => {
        if (!r.ok) throw new Error(JSON.stringify(r.error));
      });
    const overHost = async () => {
      const r = await fetch(`${host.url}/api/runs:start`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
      });
      await r.json();
    };
    await timeEach(50, direct);
    await timeEach(50, inProcess);
    await timeEach(50, overHost);
    // Interleaved rounds so drift hits all three alike.
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    for (let round = 0; round < 5; round++) {
      a.push(...(await timeEach(100, direct)));
      b.push(...(await timeEach(100, inProcess)));
      c.push(...(await timeEach(100, overHost)));
    }
    console.log(summary('SDK direct (streamed, usage)', a));
    console.log(summary('runs:start in-process', b));
    console.log(summary('runs:start through the HTTP host', c));
    const added = (x: number[], p: number) => (percentile(x, p) - percentile(a, p)).toFixed(3);
    console.log(`added in-process: p50 ${added(b, 50)} ms, p99 ${added(b, 99)} ms`);
    console.log(`added through host: p50 ${added(c, 50)} ms, p99 ${added(c, 99)} ms`);
    const thr = (x: number[]) => x.length / x.reduce((s, v) => s + v, 0);
    console.log(
      `throughput ratio in-process/direct: ${(thr(b) / thr(a)).toFixed(2)}, host/direct: ${(thr(c) / thr(a)).toFixed(2)}`,
    );
    // What the durable ledger costs alone: a reservation and a settle, each its own synchronous=FULL commit.
    const ledger = app.services.ledger;
    const commits = await timeEach(300, () => {
      const r = ledger.reserve({ runId: null, modelId: 'm', provider: 'p', task: TASK, worstCaseUsd: 0.001 });
      ledger.settle(r.id, 0.0001, { inputTokens: 1, outputTokens: 1 });
    });
    console.log(summary('ledger reserve + settle (2 durable commits)', commits));
    // The money path as runs use it: a charge opened and closed through the group commit (each acknowledged only once
    // on disk), one call at a time and eight at once (their commits share fsyncs and transactions).
    const charge = async () => {
      const c = await ledger.open({ runId: null, modelId: 'm', provider: 'p', task: TASK, worstCaseUsd: 0.001 });
      await c.onDisk; // a run's request is sent only then
      await c.close({ usage: { inputTokens: 1, outputTokens: 1 }, price: () => 0.0001 });
    };
    console.log(summary('ledger open + close, group commit, 1 at a time', await timeEach(300, charge)));
    const eight = await timeEach(60, () => Promise.all(Array.from({ length: 8 }, charge)));
    console.log(summary('ledger open + close, group commit, 8 at once (time for all 8)', eight));
    const decisions = await timeEach(300, () => app.services.orchestrator.decide({ task: TASK, input_tokens: 20 }));
    console.log(summary('orchestrator decide (A)', decisions));
    await host.close();
    await app.close();

    // Failover: a dead primary (connection refused) and a hanging one; default retries and first-token deadline.
    // Issue 15.3's target: < 100 ms from a refused connection to the next model (no SDK retry of a dead end).
    const dead = await setUp(server, tmp(), await freePortUrl());
    const refusedMs: number[] = [];
    const deadTimes = await timeEach(30, async () => {
      dead.services.resilience.reset();
      const r = await dead.dispatcher.call('runs:start', payload, { transport: 'internal' });
      const run = r.ok ? (r.value as { model_id: string; attempts: { latency_ms: number }[] }) : null;
      if (!run || run.model_id !== 'spare/backup') throw new Error('no failover');
      refusedMs.push(run.attempts[0]!.latency_ms);
    });
    console.log(summary('failover, dead primary (ECONNREFUSED, maxRetries 1)', deadTimes));
    console.log(summary('  of which the refused attempt (time to the next model)', refusedMs));
    const addedByFailover = percentile(deadTimes, 50) - percentile(b, 50);
    console.log(
      `failover added vs a healthy run (p50): ${addedByFailover.toFixed(1)} ms; ratio ${(percentile(deadTimes, 50) / percentile(b, 50)).toFixed(2)}; target < 100 ms: ${percentile(refusedMs, 99) < 100 ? 'met' : 'MISSED'} (p99 ${percentile(refusedMs, 99).toFixed(1)} ms)`,
    );
    await dead.close();
    server.script('primary', { alwaysFault: { kind: 'hang' } });
    const hung = await setUp(server, tmp());
    const hangTimes = await timeEach(3, async () => {
      hung.services.resilience.reset();
      const r = await hung.dispatcher.call('runs:start', payload, { transport: 'internal' });
      if (!r.ok || (r.value as { model_id: string }).model_id !== 'spare/backup') throw new Error('no failover');
    });
    console.log(summary('failover, hanging primary (first-token deadline 4 s)', hangTimes));
    await hung.close();
  } finally {
    await server.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}
