// Issue 13's gaps: a gateway call shows in the run history with the app that sent it; an embeddings call is a run
// too (local, $0, under its app in Spend).
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { gatewayApp, withGateway, type GatewayApp } from '../../test/support/gateway-app';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { cloudSpec, localSpec } from '../../test/support/tournament-app';

const fixture = useLocalFixture();
const tempDir = useTempDir();

async function open(): Promise<GatewayApp> {
  fixture.fake().reset();
  return gatewayApp({
    dataDir: tempDir(),
    fake: fixture.fake(),
    registry: [cloudSpec('cloud-gpt', 'openai', 9, 8), localSpec('tiny-local', 'tiny-fixture', 3)],
    local: { llama: fixture.llama(), files: { 'tiny-fixture': tinyLlamaFixture() } },
    execution: { firstTokenTimeoutMs: 60_000 },
  });
}

async function history(g: GatewayApp) {
  const reply = await g.app.dispatcher.call('runs:list', undefined, { transport: 'internal' });
  if (!reply.ok) throw new Error(reply.error.message);
  return (reply.value as { runs: { run_id: string; task: string; client?: string | null; cost_usd: number }[] }).runs;
}

describe('gateway runs in the history', () => {
  it("shows the app's name on runs that came through the gateway, and none on the writer's own", async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-gpt', { json: { findings: [] }, inputTokens: 40, outputTokens: 3 });
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Obsidian' }), maxRetries: 0 });
      const check = await client.chat.completions.create({
        model: 'quire/continuity_check',
        messages: [{ role: 'user', content: 'Chapter 1: the door was blue. Chapter 2: the door was red.' }],
      });
      fixture.fake().script('cloud-gpt', { text: 'Mara, Tobias, Wren.', inputTokens: 10, outputTokens: 5 });
      // Whatever its outcome (the fake's answer need not suit the task), the writer's own run is in the history.
      await g.app.dispatcher.call(
        'runs:start',
        { task: 'brainstorm', input: 'Three names for a lighthouse keeper.', single: true },
        { transport: 'internal' },
      );
      const runs = await history(g);
      const viaGateway = runs.find((r) => r.run_id === check.id.replace(/^chatcmpl-/, ''));
      expect(viaGateway?.client).toBe('Obsidian');
      expect(runs.filter((r) => r.client === null)).toHaveLength(1);
      const got = await g.app.dispatcher.call('runs:get', { run_id: viaGateway!.run_id }, { transport: 'internal' });
      expect(got).toMatchObject({ ok: true, value: { client: 'Obsidian' } });
      const own = runs.find((r) => r.client === null)!;
      const ownGot = await g.app.dispatcher.call('runs:get', { run_id: own.run_id }, { transport: 'internal' });
      expect(ownGot).toMatchObject({ ok: true, value: { run_id: own.run_id, client: null } });
      // A Quire name (a task, a tier, quire/auto) leaves the model to Quire's routing; a model's own name is the
      // app's pick, kept out of "What routing was worth".
      fixture.fake().script('cloud-gpt', { text: 'Wren.', inputTokens: 10, outputTokens: 2 });
      const named = await client.chat.completions.create({
        model: 'cloud-gpt',
        messages: [{ role: 'user', content: 'One more name.' }],
      });
      const chooser = (id: string) =>
        g.app.services.ledger.ofRun(id.replace(/^chatcmpl-/, '')).map((row) => row.chosen_by);
      expect(chooser(check.id)).toEqual(['quire']);
      expect(chooser(named.id)).toEqual(['writer']);
    });
  }, 120_000);

  it("an app's streaming call shows in Quire's windows as it streams: runs:get has its words so far, and each piece comes as run:token", async () => {
    await withGateway(open(), async (g) => {
      fixture.fake().script('cloud-gpt', { text: 'one two three four', faults: [{ kind: 'stall', afterTokens: 2 }] });
      const pieces: { run_id: string; text: string; at: number }[] = [];
      g.app.events.subscribe((e) => {
        if (e.name === 'run:token') pieces.push({ run_id: e.payload.run_id, text: e.payload.text, at: e.payload.at });
      });
      const hangUp = new AbortController();
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Obsidian' }), maxRetries: 0 });
      const stream = await client.chat.completions.create(
        { model: 'cloud-gpt', stream: true, messages: [{ role: 'user', content: 'Count.' }] },
        { signal: hangUp.signal },
      );
      let heard = '';
      for await (const chunk of stream) {
        heard += chunk.choices[0]?.delta.content ?? '';
        if (heard === 'one two ') break;
      }
      await vi.waitUntil(() => pieces.map((p) => p.text).join('') === 'one two ');
      const runId = pieces[0]!.run_id;
      // Each piece's place is the length of what came before it, as for the writer's own runs.
      expect(pieces.map((p) => p.at)).toEqual(
        pieces.map(
          (_, i) =>
            pieces
              .slice(0, i)
              .map((p) => p.text)
              .join('').length,
        ),
      );
      const got = await g.app.dispatcher.call('runs:get', { run_id: runId }, { transport: 'internal' });
      expect(got).toMatchObject({
        ok: true,
        value: { status: 'running', client: 'Obsidian', live: { model_id: 'cloud-gpt', text: 'one two ' } },
      });
      hangUp.abort();
      await vi.waitUntil(() => g.app.services.runs.get(runId).status === 'cancelled');
      expect(g.app.services.runs.get(runId).live).toBeUndefined();
    });
  }, 120_000);

  it('records an embeddings call as a local $0 run under its app, in the history and in Spend by app', async () => {
    await withGateway(open(), async (g) => {
      await g.app.services.local.load('tiny-fixture');
      const client = new OpenAI({ baseURL: g.baseUrl, apiKey: g.token({ name: 'Novel search' }), maxRetries: 0 });
      const completed: string[] = [];
      g.app.events.subscribe((event) => {
        if (event.name === 'run:completed') completed.push((event.payload as { run_id: string }).run_id);
      });
      const { data, response } = await client.embeddings
        .create({ model: 'tiny-local', input: ['a red door', 'a blue door'] })
        .withResponse();
      expect(data.data).toHaveLength(2);
      const runId = response.headers.get('x-quire-run-id')!;
      expect(runId).toBeTruthy();
      expect(completed).toEqual([runId]);
      const [run] = await history(g);
      expect(run).toMatchObject({ run_id: runId, task: 'embeddings', client: 'Novel search', cost_usd: 0 });
      expect(g.ledger(runId)).toEqual([
        { state: 'settled', charged_micros: 0, input_tokens: data.usage.prompt_tokens, output_tokens: 0 },
      ]);
      // The app named the model it embeds with.
      expect(g.app.services.ledger.ofRun(runId).map((row) => row.chosen_by)).toEqual(['writer']);
      const month = g.app.services.ledger.monthOf(new Date());
      expect(g.app.services.gateway.byApp(month).apps).toMatchObject([
        { name: 'Novel search', calls: 1, spend_usd: 0, input_tokens: data.usage.prompt_tokens },
      ]);
    });
  }, 120_000);
});
