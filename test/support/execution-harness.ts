// A test app over the real HTTP host with no cloud keys, plus the fake LLM server and helpers to add custom endpoints
// pointing at it. Runs, ledger and resilience tests share it.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AppOptions } from '../../src-main/app/create-app';
import type { Strength } from '../../src-preload/contract';
import { startFakeLlmServer, type FakeLlmServer } from './fake-llm-server';
import { useTestApp } from './test-app';

export interface EndpointModel {
  id: string;
  /** The name the writer gives it (default: its id). */
  display_name?: string;
  quality: number;
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  context_window?: number;
  /** Default: continuity and creative work. */
  strengths?: Strength[];
}

/**
 * A task answered in prose, so a scripted text answer is the run's answer (analysis tasks answer findings JSON; their
 * tests script JSON). Not critical, so it never becomes a tournament.
 */
export const TASK = 'scene_draft';

export function useExecutionHarness() {
  const testApp = useTestApp();
  const state: { server: FakeLlmServer | null } = { server: null };
  beforeAll(async () => {
    state.server = await startFakeLlmServer({ port: 0 });
  });
  afterAll(() => state.server?.close());
  beforeEach(() => state.server?.reset());

  const server = () => state.server!;
  return {
    server,
    async host(options: Partial<AppOptions> = {}) {
      const h = await testApp.host({
        env: {},
        ...options,
        execution: { maxRetries: 0, firstTokenTimeoutMs: 10_000, ...options.execution },
      });
      h.app.services.settings.set({ orchestrator: { enabled: true, quality_tier: 'premium' } });
      const endpoint = async (
        id: string,
        models: EndpointModel[],
        extra: { kind?: 'openai-compatible' | 'anthropic'; api_key?: string } = {},
      ) => {
        const kind = extra.kind ?? 'openai-compatible';
        const { body } = await h.call('providers:save', {
          id,
          kind,
          base_url: kind === 'anthropic' ? server().anthropicBaseUrl : server().openaiBaseUrl,
          ...(extra.api_key ? { api_key: extra.api_key } : {}),
          // A model's own strengths when the test gives them; else continuity and creative work.
          models: models.map((m) => ({ strengths: ['narrative_continuity', 'creative_generation'], ...m })),
        });
        if (!body.ok) throw new Error(JSON.stringify(body.error));
        return body.value;
      };
      /**
       * Stops a run at once, in the caller's own turn (runs:cancel through the dispatcher, whose handler runs before
       * its first await): asked over HTTP from an event handler, the stop would land after the next call had gone.
       */
      const stopNow = (runId: string) =>
        void h.app.dispatcher.call('runs:cancel', { run_id: runId }, { transport: 'internal' });
      return { ...h, endpoint, stopNow };
    },
  };
}

export type ExecutionHost = Awaited<ReturnType<ReturnType<typeof useExecutionHarness>['host']>>;

/** A model priced like a mid-range cloud model: $1 in, $4 out per million tokens (with `contextWindow` when given). */
export function endpointModel(id: string, quality: number, contextWindow?: number): EndpointModel {
  return {
    id,
    quality,
    input_usd_per_mtok: 1,
    output_usd_per_mtok: 4,
    ...(contextWindow !== undefined ? { context_window: contextWindow } : {}),
  };
}

/**
 * Three custom endpoints on the fake server, one model each, for a tournament to seat: ep-a/gpt-x (quality 9),
 * ep-b/claude-y (8.8, over the Anthropic wire) and ep-c/deepseek-z (`deepseekQuality`).
 */
export async function addThreeEndpoints(host: ExecutionHost, deepseekQuality: number): Promise<void> {
  await host.endpoint('ep-a', [endpointModel('gpt-x', 9)]);
  await host.endpoint('ep-b', [endpointModel('claude-y', 8.8)], { kind: 'anthropic' });
  await host.endpoint('ep-c', [endpointModel('deepseek-z', deepseekQuality)]);
}
