// Quality learns honestly (issue 15.6): when the cloud is down and the only model left is a local one below the
// minimum quality, its answer is marked a low-confidence fallback (flag, confidence ≤ 0.3, counted in runs:stats),
// never a plain "Completed". The audit's case ended in TinyStories gibberish marked Completed. Real node-llama-cpp on
// the generated tiny GGUF; the cloud model is the loopback fake answering HTTP 500.
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { cloudSpec, localSpec, tournamentApp } from '../../test/support/tournament-app';
import { MIN_QUALITY } from '../orchestrator/decide';

const fixture = useLocalFixture();
const tempDir = useTempDir();

describe('low-confidence fallback', () => {
  it('a cloud outage answered by a below-minimum local model is marked a low-confidence fallback, not Completed', async () => {
    const fake = fixture.fake();
    fake.reset();
    const weak = localSpec('tinystories-local', 'tiny-fixture', MIN_QUALITY - 3);
    const h = await tournamentApp({
      dataDir: tempDir(),
      fake,
      registry: [cloudSpec('gpt-a', 'openai', 9), weak],
      local: { llama: fixture.llama(), files: { 'tiny-fixture': tinyLlamaFixture() } },
    });
    try {
      fake.script('gpt-a', { alwaysFault: { kind: 'status', status: 500 } });
      // A prose task: six tokens of prose are an answer (cut short); six of a JSON answer are not one.
      const run = await h.runs.start({ task: 'scene_draft', input: 'Mara came home.', max_output_tokens: 6 });
      expect(run.attempts.map((a) => [a.model_id, a.outcome])).toEqual([
        ['gpt-a', 'failed'],
        ['tinystories-local', 'ok'],
      ]);
      expect(run).toMatchObject({ status: 'completed', model_id: 'tinystories-local', low_confidence_fallback: true });
      // A draft has no right answer for a figure to measure: no confidence, but the weaker model is said all the same.
      expect(run).toMatchObject({ confidence: null, confidence_ingredients: null });
      // Stored and listed as such, and counted.
      expect(h.runs.get(run.run_id)).toMatchObject({ low_confidence_fallback: true, confidence: null });
      expect(h.runs.list().find((r) => r.run_id === run.run_id)).toMatchObject({ low_confidence_fallback: true });
      expect(h.runs.stats()).toMatchObject({ low_confidence_fallbacks: 1 });

      // The cloud answering is a plain completion with a confidence from the model's quality.
      fake.script('gpt-a', {
        text: JSON.stringify({ chapters: [{ chapter: 'Untitled', summary: 'Mara came home.' }] }),
      });
      const healthy = await h.runs.start({ task: 'chapter_summary', input: 'Mara came home.', max_output_tokens: 60 });
      expect(healthy).toMatchObject({ model_id: 'gpt-a', low_confidence_fallback: false });
      expect(healthy.confidence).toBeGreaterThan(0.3);

      // The writer naming the weak model themself is their choice, not a fallback.
      const chosen = await h.runs.start({
        task: 'scene_draft',
        input: 'Mara came home.',
        model: 'tinystories-local',
        max_output_tokens: 6,
      });
      expect(chosen).toMatchObject({ model_id: 'tinystories-local', low_confidence_fallback: false });
      expect(h.runs.stats()).toMatchObject({ completed: 3, low_confidence_fallbacks: 1 });
    } finally {
      await h.close();
    }
  }, 180_000);
});
