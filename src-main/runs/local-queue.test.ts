// Local runs on one model wait in line, are told their place, and none fails for waiting: the first-token deadline
// counts from the start of generation, not from loading the model or the queue. Real node-llama-cpp on the generated
// tiny GGUF; the deadline runs on a clock the test moves.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-preload/contract/runs';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { ManualTimer } from '../../test/support/manual-timer';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { localSpec, tournamentApp } from '../../test/support/tournament-app';

const fixture = useLocalFixture();
const tempDir = useTempDir();

describe('local runs queue for their model', () => {
  it('8 concurrent local runs on the generated tiny GGUF all complete, each told its place in line', async () => {
    const timer = new ManualTimer();
    const h = await tournamentApp({
      dataDir: tempDir(),
      fake: fixture.fake(),
      registry: [localSpec('tiny-local', 'tiny-fixture', 5)],
      local: { llama: fixture.llama(), files: { 'tiny-fixture': tinyLlamaFixture() } },
      execution: { timer },
    });
    try {
      expect(h.app.services.settings.get().runs.first_token_floor_s).toBe(4);
      // Each finished run stands for a long generation: just under the 4 s floor passes on the deadline clock. A
      // deadline counted from the start of the call (the old one) would expire for every run still waiting after two.
      const unsubscribe = h.app.events.subscribe((event) => {
        if (event.name === 'run:completed') timer.advance(3_999);
      });
      const runs: RunRecord[] = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          // A prose task: six tokens of prose are an answer (cut short); six of a JSON answer are not one.
          h.runs.start({
            task: 'scene_draft',
            input: `Mara came home on day ${i + 1}.`,
            model: 'tiny-local',
            max_output_tokens: 6,
          }),
        ),
      );
      unsubscribe();
      expect(runs.map((r) => r.status)).toEqual(Array(8).fill('completed'));
      for (const run of runs) {
        expect(run).toMatchObject({ model_id: 'tiny-local', fallbacks: [] });
        expect(run.attempts).toHaveLength(1);
        expect(run.attempts[0]!.first_token_ms).toBeGreaterThanOrEqual(0);
      }
      // Places in line were pushed: the runs behind the first heard 1…7 and moved up as the line moved.
      const progress = h.events.flatMap((e) => (e.name === 'run:progress' ? [e.payload] : []));
      const firstPlace = new Map<string, number>();
      for (const p of progress)
        if (p.queue_position !== null && !firstPlace.has(p.run_id)) firstPlace.set(p.run_id, p.queue_position);
      expect([...firstPlace.values()].sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const run of runs) {
        const mine = progress.filter((p) => p.run_id === run.run_id).map((p) => p.queue_position);
        // Never a step back in line, and the last word is "generating" (null).
        const places = mine.filter((p): p is number => p !== null);
        expect(places).toEqual([...places].sort((a, b) => b - a));
        expect(mine.at(-1)).toBeNull();
      }
      expect(h.runs.stats()).toMatchObject({ completed: 8, failed: 0 });
    } finally {
      await h.close();
    }
  }, 180_000);
});
