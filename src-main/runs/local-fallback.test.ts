// A local model that cannot load is answered by the next smaller installed one (the local adapter); the run records
// that like a cloud fallback. Real node-llama-cpp on the generated GGUF fixture; the larger model is a corrupt file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { localSpec, tournamentApp } from '../../test/support/tournament-app';

const fixture = useLocalFixture();

const tempDir = useTempDir();

describe('local fallback in a run', () => {
  it('a corrupt local model falls back to the smaller fixture model, recorded in fallbacks, attempts and the ledger', async () => {
    const dir = tempDir();
    const broken = join(dir, 'broken.gguf');
    writeFileSync(broken, Buffer.alloc(4096, 7));
    const tiny = tinyLlamaFixture();
    const registry = [localSpec('big-local', 'broken-model', 8), localSpec('tiny-local', 'tiny-fixture', 5)];
    const files: Record<string, { path: string; bytes: number }> = {
      'broken-model': { path: broken, bytes: 2_000_000_000 },
      'tiny-fixture': { path: tiny, bytes: 1 },
    };
    const h = await tournamentApp({
      dataDir: dir,
      fake: fixture.fake(),
      registry,
      execution: { firstTokenTimeoutMs: 60_000 },
      local: { llama: fixture.llama(), files },
    });
    try {
      const run = await h.runs.start({
        // A prose task: the run's answer is the text, whatever random weights produce in 8 tokens.
        task: 'scene_draft',
        input: 'Mara came home.',
        model: 'big-local',
        max_output_tokens: 8,
      });
      expect(run).toMatchObject({ status: 'completed', model_id: 'tiny-local', fallbacks: ['tiny-local'] });
      expect(run.attempts.map((a) => [a.model_id, a.outcome])).toEqual([
        ['big-local', 'failed'],
        ['tiny-local', 'ok'],
      ]);
      expect(run.attempts[0]!.error).toMatchObject({ code: 'local_model_error' });
      expect(run.attempts[0]!.error!.message).toMatch(/smaller/);
      expect(h.runs.get(run.run_id)).toMatchObject({ model_id: 'tiny-local', fallbacks: ['tiny-local'] });
      expect(h.runs.stats().fallbacks_triggered).toBe(1);
      const rows = h.db.prepare('SELECT model_id, charged_micros FROM ledger').all();
      expect(rows).toEqual([{ model_id: 'tiny-local', charged_micros: 0 }]);
    } finally {
      await h.close();
    }
  }, 120_000);
});
