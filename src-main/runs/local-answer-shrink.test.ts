// A local model whose context holds the task's instruction and the passage only with a shorter answer than the task's
// own: the answer is shortened to what the context leaves (never below LEAST_LOCAL_ANSWER), and the writer is told
// so; only a context that cannot hold even that is refused, with its true numbers. Real node-llama-cpp on a generated
// 2,048-token GGUF with a word-piece vocabulary, a run through the real run service.
import { describe, expect, it } from 'vitest';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { useTempDir } from '../../test/support/temp-dir';
import { useLocalFixture } from '../../test/support/use-local-fixture';
import { localSpec, tournamentApp } from '../../test/support/tournament-app';
import { shippedTaskLibrary } from '../tasks/shipped-library';

const fixture = useLocalFixture();
const tempDir = useTempDir();

const PASSAGE = 'Mara looked at the harbour. Her eyes were green. The door was blue, and the night was long.';

const tinyApp = (contextLength: number) =>
  tournamentApp({
    dataDir: tempDir(),
    fake: fixture.fake(),
    registry: [{ ...localSpec('tiny-local', 'tiny-fixture', 5), context_window: contextLength }],
    execution: { firstTokenTimeoutMs: 60_000 },
    local: {
      llama: fixture.llama(),
      files: {
        'tiny-fixture': {
          path: tinyLlamaFixture({ contextLength, vocabulary: { kind: 'bpe', learned: 800 } }),
          bytes: 1,
        },
      },
    },
  });

describe("a local model whose context holds the passage only with a shorter answer than the task's", () => {
  // Brainstorm's grammar-bounded list on 2,048 tokens; a scene draft's prose on 700, which a random-weight model
  // writes to its end (the instruction is ~400 of its tokens, so its answer gets the ~290 left, not 3,000).
  for (const [task, context] of [
    ['brainstorm', 2048],
    ['scene_draft', 700],
  ] as const)
    it(`${task}: runs with the answer shortened to fit, and says so`, async () => {
      const asked = shippedTaskLibrary().get(task)!.max_output_tokens;
      const h = await tinyApp(context);
      try {
        const run = await h.runs.start({ task, input: PASSAGE, model: 'tiny-local', seed: 3 });
        // Refused before: "The model you picked, tiny-local, cannot run: this passage and its answer are too long".
        expect(run.error?.message ?? null).toBeNull();
        expect(run.status).toBe('completed');
        expect(run.output_tokens).toBeLessThan(asked);
        expect(run.answer?.notices?.join(' ')).toMatch(
          new RegExp(
            `^tiny-local's ${context.toLocaleString('en-US')}-token context holds this passage and the task's instruction with an answer of up to ` +
              `[\\d,]+ tokens, not the ${asked.toLocaleString('en-US')} asked for, so its answer was kept to that\\. ` +
              'For a longer answer, pick a model with a larger context\\.',
          ),
        );
      } finally {
        await h.close();
      }
    }, 300_000);

  it('a context that cannot hold the passage with even the shortest answer is refused with its true numbers', async () => {
    // 600 tokens: the decision's estimate of the request leaves room for the floor's 256, the model's own count
    // (the instruction and chat format at ~340 of its tokens, the passage at ~60) does not.
    const h = await tinyApp(600);
    try {
      const refused = (await h.runs
        .start({ task: 'scene_draft', input: PASSAGE, model: 'tiny-local', seed: 3 })
        .then(() => expect.unreachable('it ran'))
        .catch((e: unknown) => e)) as Error;
      expect(refused.message).toMatch(
        /^This passage is [\d,]+ tokens; tiny-local can read [\d,]+ at once \(its 600-token context less 256 for the shortest answer it is given and [\d,]+ for the instruction and chat format\)\./,
      );
      expect(refused.message).not.toMatch(/read 0 /);
    } finally {
      await h.close();
    }
  }, 120_000);
});
