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

  /** One turn; `fresh` first clears the sequence (no reuse). Also returns the input tokens evaluated this time. */
  function run(request: GenerateRequest, fresh: boolean): Promise<{ result: GenerateResult; evaluated: number }> {
    return runtime.use('tiny', file, async (model) => {
      if (fresh) await model.sequence.clearHistory();
      const before = model.sequence.tokenMeter.getState();
      const result = await chatOnce(model, request);
      return { result, evaluated: TokenMeter.diff(model.sequence.tokenMeter, before).usedInputTokens };
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

  it('does not confuse a different instruction with the one in the context', async () => {
    const cold = await run(turn(OTHER_INSTRUCTION, 'Chapter two says the door is red.'), true);
    await run(turn(INSTRUCTION, 'Chapter two says the door is red.'), true);
    const after = await run(turn(OTHER_INSTRUCTION, 'Chapter two says the door is red.'), false);
    expect(after.result.text).toBe(cold.result.text);
    expect(after.result.usage).toEqual(cold.result.usage);
  });
});
