// The gateway as a service: its settings (off by default), the apps' tokens (hash only; the token itself is returned
// once), the server started and stopped to match, and the month's spend by app.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import {
  DEFAULT_GATEWAY_PORT,
  RUN_START_MAX_BYTES,
  type DecideRequest,
  type Decision,
  type GatewayState,
  type ModelSpec,
  type SpendByApp,
  type TaskSpec,
} from '../../src-preload/contract';
import { QuireError } from '../errors';
import type { EventBus } from '../infra/event-bus';
import type { Logger } from '../infra/logger';
import type { Ledger } from '../ledger/ledger';
import { toRecord } from '../runs/run-record';
import { RunsRepo } from '../store/repos/runs-repo';
import type { TaskLibrary } from '../tasks/task-library';
import { taskSystem } from '../tasks/task-messages';
import type { LocalRuntime } from '../local/runtime';
import type { RunService } from '../runs/run-service';
import type { Db } from '../store/database';
import { toMicros, toUsd } from '../store/money';
import { localEmbeddings } from './embeddings';
import { GatewayCalls, type GatewayCallDeps } from './gateway-calls';
import { GatewayRepo, type GatewayConfigRow, type OwnSpendRow } from './gateway-repo';
import { gatewayRoutes } from './gateway-routes';
import { startGatewayServer, type GatewayServer } from './gateway-server';
import { listModelNames } from './model-names';

export interface GatewayOptions {
  db: Db;
  runs: Pick<RunService, 'start' | 'quote'>;
  /** The orchestrator's decision: /v1/models lists the names an app's call would not be refused as unable to run. */
  decide: (request: DecideRequest) => Decision;
  models: () => readonly ModelSpec[];
  tasks: () => ReadonlyMap<string, TaskSpec>;
  /** A task's name as the writer reads it (OrchestratorService.taskName). */
  taskName: (task: string) => string;
  monthOf: (at: Date) => string;
  runtime: Pick<LocalRuntime, 'resident' | 'use'>;
  /**
   * Embeddings calls are recorded as local $0 runs: their ledger row and run row, and run:completed. A call's answer
   * says what its run came to in the ledger (runSpend).
   */
  ledger: Pick<Ledger, 'recordLocal' | 'atomically' | 'runSpend'>;
  events: EventBus;
  logger: Logger;
  now: () => Date;
  /** The task definitions `quire/<task>` calls are run with (their instruction and answer form). */
  library?: TaskLibrary | undefined;
  /** `--gateway-port`: this port for this session, over the saved one. */
  port?: number | undefined;
  concurrencyPerToken?: number;
  maxBodyBytes?: number;
}

const TOKEN_PREFIX = 'quire-';
/** The task an embeddings call is recorded under in runs and the ledger. */
export const EMBEDDINGS_TASK = 'embeddings';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class GatewayService {
  private readonly repo: GatewayRepo;
  private readonly calls: GatewayCalls;
  private readonly runsRepo: RunsRepo;
  private server: GatewayServer | null = null;
  /** The port the running server was asked for (0 picks a free one, so it can differ from the port it got). */
  private serverFor: number | null = null;
  private error: string | null = null;
  /** Tells the running server's routes why Quire is about to close its connections (see {@link stopServer}). */
  private closingFor: ((why: string) => void) | null = null;
  /** `--gateway-port` for this session, until the writer picks a port in Settings. */
  private sessionPort: number | undefined;
  /** Start/stop in order: a quick on-off-on never leaves two servers or none. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly o: GatewayOptions) {
    this.repo = new GatewayRepo(o.db, o.now);
    this.sessionPort = o.port;
    this.calls = new GatewayCalls({
      runs: o.runs,
      decide: o.decide,
      models: o.models,
      tasks: o.tasks,
      taskName: o.taskName,
      repo: this.repo,
      monthOf: o.monthOf,
      now: o.now,
      newId: () => randomUUID(),
      concurrencyPerToken: o.concurrencyPerToken ?? 16,
      embed: localEmbeddings(o.runtime, o.models),
      recordEmbedding: (run) => this.recordEmbedding(run),
      monotonic: () => performance.now(),
      taskDefinition: (task) => {
        const definition = o.library?.get(task);
        return definition ? { system: taskSystem(definition), answer: definition.answer } : undefined;
      },
    });
    this.runsRepo = new RunsRepo(o.db);
  }

  /** One commit: the $0 ledger row (tokens, duration) and the completed run, then run:completed for the history. */
  private recordEmbedding(run: Parameters<GatewayCallDeps['recordEmbedding']>[0]): void {
    const at = this.o.now().toISOString();
    const write = {
      id: run.runId,
      task: EMBEDDINGS_TASK,
      status: 'completed' as const,
      model_id: run.model,
      // The texts are the app's to keep: only their count is stored.
      request: { model: run.model, inputs: run.inputs },
      text: null,
      json: undefined,
      reason: 'Embeddings come from a loaded local model; Quire never sends them to a cloud provider.',
      fallback_chain: [],
      attempts: [
        {
          model_id: run.model,
          provider: 'local',
          outcome: 'ok' as const,
          error: null,
          cost_usd: 0,
          latency_ms: run.ms,
        },
      ],
      fallbacks: [],
      input_tokens: run.tokens,
      output_tokens: 0,
      cost_micros: 0,
      latency_ms: run.ms,
      cache_hit: false,
      cache_key: null,
      error: null,
      created_at: at,
      finished_at: at,
      answer: null,
      truncated: false,
      task_version: null,
    };
    this.o.ledger.atomically(() => {
      this.o.ledger.recordLocal(
        { runId: run.runId, modelId: run.model, provider: 'local', task: EMBEDDINGS_TASK, chosenBy: run.chosenBy },
        { inputTokens: run.tokens, outputTokens: 0 },
        run.ms,
      );
      this.runsRepo.save(write);
    });
    this.o.events.emit('run:completed', toRecord(write));
  }

  private config(): GatewayConfigRow {
    const saved = this.repo.config({ enabled: false, port: DEFAULT_GATEWAY_PORT, origins: [] });
    return this.sessionPort !== undefined ? { ...saved, port: this.sessionPort } : saved;
  }

  get(): GatewayState {
    const config = this.config();
    const spend = new Map(this.repo.byApp(this.o.monthOf(this.o.now())).map((a) => [a.token_id, a.counted_micros]));
    const port = this.server?.port ?? config.port;
    return {
      enabled: config.enabled,
      port,
      url: `http://127.0.0.1:${port}/v1`,
      origins: config.origins,
      listening: this.server !== null,
      error: this.error,
      tokens: this.repo.liveTokens().map((t) => ({
        id: t.id,
        name: t.name,
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        monthly_cap_usd: t.monthly_cap_micros === null ? null : toUsd(t.monthly_cap_micros),
        local_only: t.local_only,
        spend_usd: toUsd(spend.get(t.id) ?? 0),
      })),
    };
  }

  async set(patch: { enabled?: boolean | undefined; port?: number | undefined; origins?: string[] | undefined }) {
    const saved = this.repo.config({ enabled: false, port: DEFAULT_GATEWAY_PORT, origins: [] });
    const next = {
      enabled: patch.enabled ?? saved.enabled,
      port: patch.port ?? saved.port,
      origins: patch.origins ? [...new Set(patch.origins)] : saved.origins,
    };
    // A new port while apps are calling the old one: tried first, so a port another program holds leaves every app
    // where it was rather than the gateway answering on neither.
    await this.applying;
    const serving = this.server;
    if (
      patch.port !== undefined &&
      next.enabled &&
      serving &&
      patch.port !== this.serverFor &&
      !(await canListen(patch.port))
    ) {
      throw new QuireError(
        'conflict',
        `Port ${patch.port} is already in use by another program, so apps still reach Quire at http://127.0.0.1:${serving.port}/v1. Pick another port.`,
        { path: 'port', advised: true },
      );
    }
    this.repo.saveConfig(next);
    if (patch.port !== undefined) this.sessionPort = undefined;
    await this.apply();
    return this.get();
  }

  createToken(input: { name: string; monthly_cap_usd?: number | null | undefined; local_only?: boolean | undefined }) {
    const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const id = randomUUID();
    this.repo.insertToken(
      {
        id,
        name: input.name.trim(),
        monthly_cap_micros:
          input.monthly_cap_usd === undefined || input.monthly_cap_usd === null
            ? null
            : toMicros(input.monthly_cap_usd),
        local_only: input.local_only === true,
        created_at: this.o.now().toISOString(),
      },
      sha256(token),
    );
    return { id, token };
  }

  /** An app's cap or local-only switch changed in place: the app keeps its token. */
  updateToken(input: { id: string; monthly_cap_usd?: number | null | undefined; local_only?: boolean | undefined }) {
    const updated = this.repo.updateLimits(input.id, {
      ...(input.monthly_cap_usd !== undefined
        ? { monthly_cap_micros: input.monthly_cap_usd === null ? null : toMicros(input.monthly_cap_usd) }
        : {}),
      ...(input.local_only !== undefined ? { local_only: input.local_only } : {}),
    });
    const token = updated ? this.get().tokens.find((t) => t.id === input.id) : undefined;
    if (!token) throw new QuireError('not_found', "That app's token was revoked, so its limits can no longer change.");
    return token;
  }

  /** Revoked at once: refused from now on, and its calls in flight are stopped. */
  revokeToken(id: string): { revoked: boolean } {
    const revoked = this.repo.revoke(id);
    if (revoked) this.calls.stop(id);
    return { revoked };
  }

  byApp(month: string): SpendByApp {
    const spend = (a: OwnSpendRow) => ({
      spend_usd: toUsd(a.counted_micros),
      reserved_usd: toUsd(a.reserved_micros),
      calls: a.calls,
      input_tokens: a.input_tokens,
      output_tokens: a.output_tokens,
    });
    return {
      month,
      apps: this.repo
        .byApp(month)
        .map((a) => ({ token_id: a.token_id, name: a.name, revoked: a.revoked, ...spend(a) })),
      own: spend(this.repo.ownSpend(month)),
    };
  }

  /** Starts the server when the saved setting says so (app start-up); a taken port is reported, not thrown. */
  start(): Promise<void> {
    return this.apply();
  }

  async close(): Promise<void> {
    await this.applying;
    await this.stopServer('Quire closed while this ran');
  }

  private apply(): Promise<void> {
    this.applying = this.applying.then(() => this.reconcile());
    return this.applying;
  }

  private async reconcile(): Promise<void> {
    const config = this.config();
    if (this.server && (!config.enabled || this.serverFor !== config.port))
      await this.stopServer(
        config.enabled
          ? `Quire's gateway moved to port ${config.port} while this ran`
          : "Quire's gateway was turned off while this ran",
      );
    if (!config.enabled || this.server) return;
    let closing: string | null = null;
    try {
      this.server = await startGatewayServer(
        {
          authenticate: (secret) => {
            const token = secret.startsWith(TOKEN_PREFIX) ? this.repo.bySha256(sha256(secret)) : undefined;
            // "Last used" is when the app last came with its token, whatever it asked: /v1/models or a call.
            if (token) this.repo.touch(token.id);
            return token;
          },
          origins: () => this.config().origins,
          seat: (token) => this.calls.seat(token),
          // What runs:start takes: 8 MB of text and the images a run may carry, in base64.
          maxBodyBytes: this.o.maxBodyBytes ?? RUN_START_MAX_BYTES,
          ...gatewayRoutes({
            calls: this.calls,
            listModels: () => listModelNames({ models: this.o.models, tasks: this.o.tasks }),
            unavailable: (token, name) => this.calls.unavailable(token, name),
            now: this.o.now,
            stored: (runId) => this.runsRepo.has(runId),
            spent: (runId) => this.o.ledger.runSpend(runId),
            closing: () => closing,
          }),
        },
        config.port,
      );
      this.serverFor = config.port;
      this.closingFor = (why) => (closing = why);
      this.error = null;
      this.o.logger.info(`Gateway listening on http://127.0.0.1:${this.server.port}/v1`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.error =
        code === 'EADDRINUSE'
          ? `Port ${config.port} is already in use by another program; pick another port.`
          : `The gateway could not start: ${(error as Error).message}`;
      this.o.logger.warn(this.error);
    }
  }

  /** Closes the server and its connections; a call still streaming is stopped, and its record says `why`. */
  private async stopServer(why: string): Promise<void> {
    const server = this.server;
    this.closingFor?.(why);
    this.server = null;
    this.closingFor = null;
    await server?.close();
  }
}

/** Whether a server could listen on 127.0.0.1 at `port` now (the gateway's own server is started after). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
