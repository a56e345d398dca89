// Chat turns keep the model's context: a turn that shares the instruction and template prefix with the previous one
// evaluates only what differs, and answers exactly as a fresh context would.
import type { Llama } from 'node-llama-cpp';
import { TokenMeter } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateRequest, GenerateResult } from '../providers/spec';
import { fixtureLlama, fixtureRuntime } from '../../test/support/local-fixture';
import { tinyLlamaFixture } from '../../test/fixtures/tiny-llama';
import { chatOnce } from './local-chat';
import type { LocalRuntime } from './runtime';

const INSTRUCTION = 'You are a careful continuity editor. List every contradiction between the chapters. '.repeat(6);
const OTHER_INSTRUCTION = 'You are a line editor. Tighten every sentence and keep the voice. '.repeat(6);

function turn(system: string, user: string): GenerateRequest {
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    maxOutputTokens: 12,
    temperature: 0,
  };
}

describe('local chat keeps the context between turns', () => {
  let llama: Llama;
  let runtime: LocalRuntime;
  let file: string;
  beforeAll(async () => {
    llama = await fixtureLlama(1);
    runtime = fixtureRuntime(llama, 1);
    file = tinyLlamaFixture({ seed: 1 });
  });
  afterAll(async () => {
    await runtime.close();
    await llama.dispose();
  });

  /**
   * One turn; `fresh` first clears the sequence (no reuse). Also returns the input tokens evaluated this time and, with
   * `probe`, the five likeliest next tokens with their exact probabilities after one more token.
   */
  function run(
    request: GenerateRequest,
    fresh: boolean,
    probe = false,
  ): Promise<{ result: GenerateResult; evaluated: number; next: [number, number][] }> {
    return runtime.use('tiny', file, async (model) => {
      if (fresh) await model.sequence.clearHistory();
      const before = model.sequence.tokenMeter.getState();
      const result = await chatOnce(model, request);
      const evaluated = TokenMeter.diff(model.sequence.tokenMeter, before).usedInputTokens;
      if (!probe) return { result, evaluated, next: [] };
      const token = model.model.tokenize('.')[0]!;
      const [out] = await model.sequence.controlledEvaluate([[token, { generateNext: { probabilities: true } }]]);
      const next = [...out!.next.probabilities!.entries()].slice(0, 5) as [number, number][];
      return { result, evaluated, next };
    });
  }

  it('reads only the new part of a turn that shares the instruction prefix, with identical greedy output', async () => {
    const cold = await run(turn(INSTRUCTION, 'Chapter two says the door is red.'), true);
    await run(turn(INSTRUCTION, 'Chapter one says the door is blue.'), true);
    const warm = await run(turn(INSTRUCTION, 'Chapter two says the door is red.'), false);
    expect(warm.result.text).toBe(cold.result.text);
    expect(warm.result.finishReason).toBe(cold.result.finishReason);
    expect(warm.result.usage).toEqual(cold.result.usage);
    expect(cold.evaluated).toBe(cold.result.usage.inputTokens);
    expect(warm.evaluated).toBeLessThan(cold.evaluated / 4);
  });

  it('leaves the context exactly as a fresh one would, whatever length of the previous turn it kept', async () => {
    // llama.cpp computes a token's values slightly differently depending on the batches it is evaluated in, so a turn
    // that evaluated its new tokens in other batches than a fresh context would may differ in the last bits and
    // pick another token wherever two were nearly tied (the benchmark's model did, once in 11 rounds). The next token's
    // probabilities after each turn show any difference in what the context holds, not only the ones that flip a token.
    const differing: string[] = [];
    for (let i = 0; i < 9; i++) {
      // Prompts of about 300, 500 and 580 tokens: each spans several of the CPU's 64-token batches (resident-model.ts
      // evaluationBatch) plus a partial one.
      const instruction = 'You are a careful continuity editor. List every contradiction. '.repeat([4, 6, 7][i % 3]!);
      const user = `Chapter ${i + 2} says the door is ${i % 2 ? 'red' : 'green'}.`;
      await run(turn(instruction, `Chapter ${i + 1} says it is blue.${' Still blue.'.repeat(i * 2)}`), false);
      const kept = await run(turn(instruction, user), false, true);
      const fresh = await run(turn(instruction, user), true, true);
      expect(kept.result.text).toBe(fresh.result.text);
      if (JSON.stringify(kept.next) !== JSON.stringify(fresh.next)) differing.push(`${i}: ${user}`);
    }
    expect(differing).toEqual([]);
  });

  it('continues a conversation exactly as a fresh context would, though the previous answer was generated token by token', async () => {
    const instruction = 'You are a careful continuity editor. List every contradiction. '.repeat(6);
    const first = turn(instruction, 'Chapter one says the door is blue.');
    const differing: string[] = [];
    for (let i = 0; i < 4; i++) {
      // The context holds the first turn's prompt, then its answer as generated.
      const answer = (await run({ ...first, maxOutputTokens: 40 + i * 9 }, true)).result.text;
      const next: GenerateRequest = {
        ...first,
        messages: [
          ...first.messages,
          { role: 'assistant', content: answer },
          { role: 'user', content: `And chapter ${i + 2}?` },
        ],
      };
      const kept = await run(next, false, true);
      const fresh = await run(next, true, true);
      expect(kept.result.text).toBe(fresh.result.text);
      if (JSON.stringify(kept.next) !== JSON.stringify(fresh.next)) differing.push(`${i}`);
    }
    expect(differing).toEqual([]);
  });

  it('keeps all it can match for a turn that samples without a seed, and stays exact for the greedy turn after it', async () => {
    const instruction = 'You are a careful continuity editor. List every contradiction. '.repeat(5);
    const first = turn(instruction, 'Chapter one says the door is blue.');
    const after = (answer: string, user: string): GenerateRequest => ({
      ...first,
      messages: [...first.messages, { role: 'assistant', content: answer }, { role: 'user', content: user }],
    });
    const answer = (await run({ ...first, maxOutputTokens: 150 }, true)).result.text;
    const greedyKept = await run(after(answer, 'And chapter two?'), false);
    await run({ ...first, maxOutputTokens: 150 }, true);
    const sampledKept = await run({ ...after(answer, 'And chapter two?'), temperature: 0.8 }, false);
    // The greedy turn read the first answer (generated token by token) and its prompt's last batch again; the sampled
    // one only what differed.
    expect(sampledKept.evaluated).toBeLessThan(greedyKept.evaluated - 64);
    // What the sampled turn kept is not exact: the greedy turn after it reads it again as a fresh context would.
    const next = after(answer, 'And chapter three?');
    const greedyAfter = await run(next, false, true);
    const fresh = await run(next, true, true);
    expect(greedyAfter.result.text).toBe(fresh.result.text);
    expect(greedyAfter.next).toEqual(fresh.next);
  });

  it('answers exactly as a fresh context when sampling with a seed', async () => {
    const instruction = 'You are a careful continuity editor. List every contradiction. '.repeat(5);
    for (let i = 0; i < 3; i++) {
      const seeded: GenerateRequest = { ...turn(instruction, `Chapter ${i + 2} is late.`), temperature: 0.9, seed: i };
      await run(turn(instruction, `Chapter ${i + 1} is early.`), false);
      const kept = await run(seeded, false, true);
      const fresh = await run(seeded, true, true);
      expect(kept.result.text).toBe(fresh.result.text);
      expect(kept.next).toEqual(fresh.next);
    }
  });

  it('says which stop sequence ended the answer, and none for an answer that ended otherwise', async () => {
    const asked = turn(INSTRUCTION, 'Chapter two says the door is red.');
    const free = await run(asked, true);
    expect(free.result.finishReason).toBe('length');
    expect(free.result.stopSequence).toBeUndefined();
    // Greedy, the model writes the same again: its first character as a stop sequence ends the answer before it.
    // (The fixture's vocabulary is bytes: only a character whole in one token is a clean place to stop.)
    const stop = free.result.text.charAt(0);
    expect(stop).toMatch(/^[!-~]$/);
    const stopped = await run({ ...asked, stop: ['never written', stop] }, true);
    expect(stopped.result).toMatchObject({ text: '', finishReason: 'stop', stopSequence: stop });
  });

  it("samples with the top_k and top_p asked for; says it has no repetition penalties in OpenAI's sense", async () => {
    const asked = turn(INSTRUCTION, 'Chapter two says the door is red.');
    const greedy = await run(asked, true);
    const hot = { ...asked, temperature: 1.5, seed: 3 };
    // Hot and seeded, the model wanders from its likeliest words; held to the likeliest one, it writes the greedy answer.
    expect((await run(hot, true)).result.text).not.toBe(greedy.result.text);
    const topK = await run({ ...hot, sampling: { topK: 1, frequencyPenalty: 0.5 } }, true);
    expect(topK.result.text).toBe(greedy.result.text);
    expect(topK.result.warnings).toEqual(['frequency_penalty is not supported by local models; ignored']);
    const topP = await run({ ...hot, sampling: { topP: 0.000001 } }, true);
    expect(topP.result.text).toBe(greedy.result.text);
  });

  it('does not confuse a different instruction with the one in the context', async () => {
    const cold = await run(turn(OTHER_INSTRUCTION, 'Chapter two says the door is red.'), true);
    await run(turn(INSTRUCTION, 'Chapter two says the door is red.'), true);
    const after = await run(turn(OTHER_INSTRUCTION, 'Chapter two says the door is red.'), false);
    expect(after.result.text).toBe(cold.result.text);
    expect(after.result.usage).toEqual(cold.result.usage);
  });
});
