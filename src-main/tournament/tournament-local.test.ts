// A local model (C's runtime, real node-llama-cpp on the generated GGUF fixture) sits in a tournament beside two cloud
// members: it is chosen, streams, is recorded in the ledger at $0, and the tournament completes.
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../local/fixtures/tiny-llama';
import { fixtureModels } from '../test-support/local-fixture';
import { useTempDir } from '../test-support/temp-dir';
import { useLocalFixture } from '../test-support/use-local-fixture';
import { residentEmbeddings } from './local-embeddings';
import { cloudSpec, localSpec, tournamentHarness } from './test-harness';

const llm = useLocalFixture();

const tempDir = useTempDir();

describe('a local model as a tournament member', () => {
  it('runs beside cloud members, streams, and is recorded at $0', async () => {
    const fixture = tinyLlamaFixture();
    const registry = [
      cloudSpec('gpt-a', 'openai', 9),
      cloudSpec('claude-b', 'anthropic', 8.8),
      localSpec('tiny-local', 'tiny-fixture'),
    ];
    const runtime = llm.runtime();
    const fake = llm.fake();
    const local = fixtureModels(runtime, { 'tiny-fixture': fixture }, registry);
    let embedded: number | undefined;
    const embeddings = residentEmbeddings(runtime);
    const h = tournamentHarness({
      dataDir: tempDir(),
      fake,
      registry,
      local,
      // The tiny model is resident after answering: its embeddings are used for matching claims.
      claimSimilarity: async (claims) => {
        const similarity = await embeddings(claims);
        embedded = claims.length;
        return similarity;
      },
    });
    try {
      const eyes = {
        claim: "Mara's eye colour changes",
        evidence_quote: 'her blue eyes',
        location: null,
        severity: 'high',
      };
      fake.script('gpt-a', { json: { findings: [eyes] } });
      fake.script('claude-b', { json: { findings: [eyes] } });
      const t = await h.service.start({
        task: 'continuity_check',
        input: 'Chapter 3. Her green eyes. Chapter 12. Her blue eyes flashed.',
        max_output_tokens: 48,
      });
      expect(t.status).toBe('done');
      const member = t.members.find((m) => m.model_id === 'tiny-local')!;
      expect(member).toMatchObject({ local: true, family: 'tiny', worst_case_usd: 0, cost_usd: 0 });
      // It answered (random weights under the findings grammar): tokens were produced and metered.
      expect(member.output_tokens).toBeGreaterThan(0);
      expect(member.duration_ms).toBeGreaterThan(0);
      const started = h.events
        .filter((e) => e.name === 'tournament:member-started')
        .map((e) => (e.payload as { model_id: string }).model_id);
      expect(started).toContain('tiny-local');
      const row = h.db
        .prepare(
          "SELECT state, reserved_micros, charged_micros, output_tokens FROM ledger WHERE model_id = 'tiny-local'",
        )
        .get() as {
        state: string;
        reserved_micros: number;
        charged_micros: number;
        output_tokens: number;
      };
      expect(row).toMatchObject({ state: 'settled', reserved_micros: 0, charged_micros: 0 });
      expect(row.output_tokens).toBeGreaterThan(0);
      expect(embedded).toBeGreaterThanOrEqual(2);
      expect(runtime.resident().map((r) => r.id)).toEqual(['tiny-fixture']);
      // Whatever the tiny model said, the two cloud members agree.
      expect(t.findings.find((f) => f.supporters.includes('gpt-a'))!.supporters).toEqual(
        expect.arrayContaining(['gpt-a', 'claude-b']),
      );
    } finally {
      h.close();
    }
  }, 120_000);
});
