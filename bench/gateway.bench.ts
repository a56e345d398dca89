// Added latency over the same `openai` SDK calling the loopback fake provider directly, side by side in one run:
// Portkey's open-source gateway in its own process, Quire's gateway (every call a run: decide, reserve, call, settle —
// the ledger's durable commits), `runs.start` in-process, and runs:start through the browser host; non-streaming and
// streaming, at concurrency 1 and 8, plus the added time to the first streamed token. The fake provider runs in a
// process of its own (bench/fake-provider-process.ts), as a real provider is remote, and every row calls that same
// process: its CPU lands on no row's event loop. The clients run in a worker thread, as another app would run in its
// own process. What each row times, from the client's request to its whole answer:
// - direct: the SDK calling the provider (the baseline every other row is read against);
// - Portkey: the SDK calling Portkey, which calls the provider;
// - Quire in-process: `runs.start` called in the bench's main thread (no HTTP in front, no client worker);
// - through the browser host: a fetch of /api/runs:start (envelope, dispatcher, runs.start), answered whole;
// - Quire's gateway: the SDK calling the gateway (token, caps, wire translation, runs.start, the gateway's record).
// Two reference rows end the table, to read the rows above against: runs.start with the ledger's fdatasyncs answered
// at once (not a mode Quire has: what this machine's disk flushes cost), and a bare HTTP door (bench/bare-door.ts:
// node:http in this thread in front of the same SDK calling the provider, nothing of Quire's: what the HTTP hop alone
// costs here). A last line times runs.start's first token and whole call with each fdatasync 4 ms slower, beside this
// disk's: what a Mac's slower flushes add before the first token; and this disk's own fdatasync, timed, since a call's
// figures carry one (README gives the readings of two machines).
// And the same call after the thread idled 0, 1 and 3 ms: what waking from idle costs here (an HTTP row's server idles
// before each request).
import { spawn } from 'node:child_process';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createApp } from '../src-main/app/create-app';
import { silentLogger } from '../src-main/infra/logger';
import { startHttpHost } from '../src-main/transport/http-host';
import type { ClientJob, Sample } from './gateway-client-worker';
import { startBareDoor } from './bare-door';
import { startPortkey } from './portkey';
import { percentile } from './stats';

const MESSAGES = [{ role: 'user' as const, content: 'Check chapter 3 against chapter 2.' }];

type Measure = (count: number, concurrency: number) => Promise<Sample[]>;

function workerClient(worker: Worker, job: Omit<ClientJob, 'count' | 'concurrency'>): Measure {
  return (count, concurrency) =>
    new Promise((resolve, reject) => {
      worker.once('message', (reply: { ok: boolean; samples?: Sample[]; error?: string }) =>
        reply.ok ? resolve(reply.samples!) : reject(new Error(reply.error)),
      );
      worker.postMessage({ ...job, count, concurrency } satisfies ClientJob);
    });
}

const p = (xs: number[], q: number) => percentile(xs, q);
const f = (x: number) => x.toFixed(3);
/** A difference with its sign: a row's p99 can sit below the direct call's (two tails measured apart), "−2.1", not "+-2.1". */
const signed = (x: number) => (x < 0 ? `−${f(-x)}` : `+${f(x)}`);

/** The fake provider in its own process (it prints its OpenAI base URL once listening). */
async function startProviderProcess(): Promise<{ openaiBaseUrl: string; close(): Promise<void> }> {
  const entry = fileURLToPath(new URL('./fake-provider-process.ts', import.meta.url));
  // Its stdin is a pipe from this process: when this process ends, however it ends, the provider ends too.
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const openaiBaseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (data: Buffer) => resolve(data.toString().trim()));
    child.once('exit', (code) => reject(new Error(`the fake provider exited (${code}) before listening`)));
  });
  return {
    openaiBaseUrl,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

export async function benchGateway(): Promise<void> {
  const server = await startProviderProcess();
  try {
    await benchAgainst(server.openaiBaseUrl);
  } finally {
    await server.close();
  }
}

async function benchAgainst(providerBaseUrl: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-gateway-'));
  const app = await createApp({
    dataDir: dir,
    logger: silentLogger,
    env: {},
    gateway: { port: 0, concurrencyPerToken: 64 },
  });
  const worker = new Worker(new URL('./gateway-client-worker.ts', import.meta.url));
  const portkey = await startPortkey();
  if (typeof portkey === 'string') console.log(`Portkey: not measured: ${portkey}`);
  const host = await startHttpHost({ dispatcher: app.dispatcher, events: app.events, rendererDir: null, port: 0 });
  const door = await startBareDoor(providerBaseUrl, 'primary');
  try {
    app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
    const saved = await app.dispatcher.call(
      'providers:save',
      {
        id: 'main',
        kind: 'openai-compatible',
        base_url: providerBaseUrl,
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
    // The same run without the gateway's HTTP door, in this thread: what the gateway adds over runs:start's path.
    const runsAlone: Measure = async (count, concurrency) => {
      const samples: Sample[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            next++;
            const start = performance.now();
            let firstToken = Number.NaN;
            await app.services.runs.start(
              { task: 'brainstorm', input: MESSAGES, model: 'main/primary', max_output_tokens: 200, temperature: 0.7 },
              { onToken: () => void (Number.isNaN(firstToken) && (firstToken = performance.now() - start)) },
            );
            samples.push({ total: performance.now() - start, firstToken });
          }
        }),
      );
      return samples;
    };
    // The same runs with the ledger's fdatasync replaced while they run.
    const runsWithFdatasync =
      (replace: (real: typeof fs.fdatasync) => typeof fs.fdatasync): Measure =>
      async (count, concurrency) => {
        const real = fs.fdatasync;
        fs.fdatasync = replace(real);
        syncBuiltinESMExports();
        try {
          return await runsAlone(count, concurrency);
        } finally {
          fs.fdatasync = real;
          syncBuiltinESMExports();
        }
      };
    // Answered at once: not a mode Quire has (every acknowledged charge is on disk), only what the disk's flushes cost
    // on this machine, so the rows above can be read against it.
    const runsWithoutFsync = runsWithFdatasync(
      () =>
        ((_fd: number, callback: (error: null) => void) => void setImmediate(callback, null)) as typeof fs.fdatasync,
    );
    // Each flush 4 ms slower, as a Mac's F_FULLFSYNC (what libuv's fdatasync is there) can be: a call taken out of the
    // standing hold (ledger/standing-hold.ts) sends without waiting for one, so its first token should not move.
    const SLOWER_MS = 4;
    const runsWithSlowerFsync = runsWithFdatasync(
      (real) =>
        ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) =>
          real(fd, (error) => void setTimeout(() => callback(error), SLOWER_MS))) as typeof fs.fdatasync,
    );
    // This disk's own fdatasyncs, timed from the call to its callback (the thread pool's round trip included): the
    // machine's share of every row above, to compare one machine's figures with another's.
    const flushMs: number[] = [];
    const runsTimingFdatasync = runsWithFdatasync(
      (real) =>
        ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
          const start = performance.now();
          real(fd, (error) => {
            flushMs.push(performance.now() - start);
            callback(error);
          });
        }) as typeof fs.fdatasync,
    );
    const hostRun = {
      task: 'brainstorm',
      input: MESSAGES,
      model: 'main/primary',
      max_output_tokens: 200,
      temperature: 0.7,
    };
    // Every row's callers for one mode (the runs.start rows do not stream to a caller either way).
    const rowsFor = (stream: boolean) => ({
      a: workerClient(worker, { baseURL: providerBaseUrl, apiKey: 'x', model: 'primary', stream }),
      b: workerClient(worker, { baseURL: state.url, apiKey: token, model: 'main/primary', stream }),
      pk:
        typeof portkey === 'string'
          ? null
          : workerClient(worker, {
              baseURL: portkey.baseURL,
              apiKey: 'x',
              model: 'primary',
              stream,
              headers: portkey.headers(providerBaseUrl),
            }),
      bh: workerClient(worker, { baseURL: host.url, apiKey: 'unused', model: '', stream, hostRun }),
      bd: workerClient(worker, { baseURL: door.baseURL, apiKey: 'x', model: 'primary', stream }),
    });
    // Steady state before any column: every row's code warmed in both modes (JIT, pools, caches) — a writer's app runs
    // for hours. With only the columns' own 30 calls, the first column (non-streaming c=1) read ~0.6–1.3 ms slower for
    // runs.start than the streaming column timing the very same call (2026-12-05, four runs); with this pass the two
    // agree within noise. Every row, Portkey's included, gets the same warm-up.
    for (const stream of [false, true]) {
      const { a, b, pk, bh, bd } = rowsFor(stream);
      for (const measure of [a, b, runsAlone, runsWithoutFsync, pk, bh, bd]) await measure?.(150, 1);
    }
    const table: { column: string; added: Map<string, [number, number]> }[] = [];
    for (const concurrency of [1, 8]) {
      for (const stream of [false, true]) {
        const { a, b, pk, bh, bd } = rowsFor(stream);
        await a(30, concurrency);
        await b(30, concurrency);
        await runsAlone(30, concurrency);
        await pk?.(30, concurrency);
        await bh(30, concurrency);
        await bd(30, concurrency);
        const da: Sample[] = [];
        const gb: Sample[] = [];
        const rc: Sample[] = [];
        const nc: Sample[] = [];
        const pc: Sample[] = [];
        const hc: Sample[] = [];
        const dc: Sample[] = [];
        // Interleaved rounds so drift (other processes, GC) hits all of them alike.
        for (let round = 0; round < 5; round++) {
          da.push(...(await a(60, concurrency)));
          gb.push(...(await b(60, concurrency)));
          rc.push(...(await runsAlone(60, concurrency)));
          nc.push(...(await runsWithoutFsync(60, concurrency)));
          if (pk) pc.push(...(await pk(60, concurrency)));
          hc.push(...(await bh(60, concurrency)));
          dc.push(...(await bd(60, concurrency)));
        }
        const totals = (xs: Sample[]) => xs.map((x) => x.total);
        const dt0 = totals(da);
        const added = (xs: Sample[]): [number, number] => [
          p(totals(xs), 50) - p(dt0, 50),
          p(totals(xs), 99) - p(dt0, 99),
        ];
        const rows = new Map<string, [number, number]>();
        if (pk) rows.set('Portkey', added(pc));
        rows.set('Quire in-process (runs.start)', added(rc));
        rows.set('Quire through the browser host', added(hc));
        rows.set("Quire's gateway", added(gb));
        rows.set('  in-process without the fdatasyncs (not a mode Quire has)', added(nc));
        rows.set('  a bare HTTP door in this thread (node:http and the SDK, nothing of Quire)', added(dc));
        table.push({ column: `${stream ? 'streaming' : 'non-streaming'} c=${concurrency}`, added: rows });
        const [dt, gt, rt] = [da, gb, rc].map((xs) => xs.map((s) => s.total)) as [number[], number[], number[]];
        console.log(
          `${stream ? 'streaming' : 'non-streaming'}, concurrency ${concurrency}: direct p50 ${f(p(dt, 50))} ms p99 ${f(p(dt, 99))} ms; ` +
            `gateway p50 ${f(p(gt, 50))} ms p99 ${f(p(gt, 99))} ms; ` +
            `added p50 ${f(p(gt, 50) - p(dt, 50))} ms p99 ${f(p(gt, 99) - p(dt, 99))} ms; ratio p50 ${(p(gt, 50) / p(dt, 50)).toFixed(2)}; ` +
            `runs.start alone p50 ${f(p(rt, 50))} ms (gateway over it: p50 ${f(p(gt, 50) - p(rt, 50))} ms)`,
        );
        if (stream) {
          const firstTokens = (xs: Sample[]) => xs.map((s) => s.firstToken);
          const [df, gf, rf, bf] = [firstTokens(da), firstTokens(gb), firstTokens(rc), firstTokens(dc)];
          console.log(
            `  first streamed token, concurrency ${concurrency}: direct p50 ${f(p(df, 50))} ms; gateway p50 ${f(p(gf, 50))} ms; ` +
              `added p50 ${f(p(gf, 50) - p(df, 50))} ms p99 ${f(p(gf, 99) - p(df, 99))} ms; ratio ${(p(gf, 50) / p(df, 50)).toFixed(2)}; ` +
              `runs.start alone p50 ${f(p(rf, 50))} ms; bare HTTP door added p50 ${f(p(bf, 50) - p(df, 50))} ms`,
          );
        }
      }
    }
    // The side-by-side table: added latency over the direct SDK call, p50 / p99, and each Quire row ÷ Portkey's (p50).
    console.log(`added over the direct SDK call (p50 / p99 ms) | ${table.map((t) => t.column).join(' | ')}`);
    for (const name of table[0]!.added.keys()) {
      const cells = table.map(({ added }) => {
        const [p50, p99] = added.get(name)!;
        const portkeyP50 = added.get('Portkey')?.[0];
        const ratio =
          portkeyP50 !== undefined && name !== 'Portkey' ? `, ${(p50 / portkeyP50).toFixed(2)}x Portkey` : '';
        return `${signed(p50)} / ${signed(p99)}${ratio}`;
      });
      console.log(`${name} | ${cells.join(' | ')}`);
    }
    console.log(
      "  (the browser host's runs:start answers whole, so its streaming columns time the same call as its non-streaming ones)",
    );
    // A slower disk, side by side with this one, streaming at concurrency 1 (interleaved rounds, as above).
    const onDisk: Sample[] = [];
    const slower: Sample[] = [];
    for (let round = 0; round < 5; round++) {
      onDisk.push(...(await runsTimingFdatasync(60, 1)));
      slower.push(...(await runsWithSlowerFsync(60, 1)));
    }
    const firstP50 = (xs: Sample[]) =>
      p(
        xs.map((x) => x.firstToken),
        50,
      );
    const totalP50 = (xs: Sample[]) =>
      p(
        xs.map((x) => x.total),
        50,
      );
    console.log(
      `each fdatasync ${SLOWER_MS} ms slower (a Mac's F_FULLFSYNC), runs.start streaming c=1: first token p50 ` +
        `${f(firstP50(onDisk))} → ${f(firstP50(slower))} ms (${signed(firstP50(slower) - firstP50(onDisk))}); whole call p50 ` +
        `${f(totalP50(onDisk))} → ${f(totalP50(slower))} ms (${signed(totalP50(slower) - totalP50(onDisk))}: its settlement is on disk before it answers)`,
    );
    console.log(
      `this disk: the ledger's fdatasync of the write-ahead log (about one per call at concurrency 1), p50 ${f(p(flushMs, 50))} ms ` +
        `p90 ${f(p(flushMs, 90))} ms over ${flushMs.length} (from the call to its callback: part of every Quire row's figures)`,
    );
    // The same call after the thread idled a while, as every row's calls but the in-process one do (each waits for a
    // request): on this VM a thread woken from idle runs slower for a while, which lands on the HTTP rows' figures.
    const afterIdle =
      (idleMs: number): Measure =>
      async (count) => {
        const samples: Sample[] = [];
        for (let i = 0; i < count; i++) {
          await new Promise<void>((resolve) => (idleMs === 0 ? setImmediate(resolve) : setTimeout(resolve, idleMs)));
          samples.push(...(await runsAlone(1, 1)));
        }
        return samples;
      };
    const idles = [0, 1, 3];
    const byIdle = new Map(idles.map((ms) => [ms, [] as Sample[]]));
    for (let round = 0; round < 5; round++) {
      for (const ms of idles) byIdle.get(ms)!.push(...(await afterIdle(ms)(60, 1)));
    }
    console.log(
      `runs.start streaming c=1 after the thread idled: ${idles.map((ms) => `${ms} ms idle p50 ${f(totalP50(byIdle.get(ms)!))} ms`).join('; ')} ` +
        '(the same call: what waking from idle costs on this machine)',
    );
    const apps = app.services.gateway.byApp(app.services.ledger.monthOf(new Date())).apps;
    console.log(`ledger: ${apps[0]?.calls ?? 0} gateway calls recorded under "${apps[0]?.name ?? '-'}"`);
  } finally {
    await worker.terminate();
    await host.close();
    await door.close();
    if (typeof portkey !== 'string') await portkey.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
