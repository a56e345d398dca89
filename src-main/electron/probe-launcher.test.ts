import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ModelProbe } from '../local/probe';
import { UtilityProcessProbeLauncher, type UtilityChildLike, type UtilityProcessLike } from './probe-launcher';

class FakeChild extends EventEmitter implements UtilityChildLike {
  readonly stderr = new PassThrough();
  killed = false;
  kill(): boolean {
    this.killed = true;
    return true;
  }
}

function fakeUtility() {
  const forks: { modulePath: string; args: string[]; options: object; child: FakeChild }[] = [];
  const utility: UtilityProcessLike = {
    fork(modulePath, args, options) {
      const child = new FakeChild();
      forks.push({ modulePath, args, options, child });
      return child;
    },
  };
  return { utility, forks };
}

describe('the utilityProcess probe launcher', () => {
  it('forks the built probe entry with the model path and reports a clean exit as usable', async () => {
    const { utility, forks } = fakeUtility();
    const probe = new ModelProbe(new UtilityProcessProbeLauncher(utility, '/app/out/main/probe.js'), 5000);
    const verdict = probe.probe('/models/story.gguf');
    expect(forks[0]).toMatchObject({ modulePath: '/app/out/main/probe.js', args: ['/models/story.gguf'] });
    forks[0]!.child.emit('exit', 0);
    expect(await verdict).toEqual({ usable: true });
  });

  it('reports an abort (a crash exit) as unusable with the assertion from stderr', async () => {
    const { utility, forks } = fakeUtility();
    const probe = new ModelProbe(new UtilityProcessProbeLauncher(utility, '/probe.js'), 5000);
    const verdict = probe.probe('/models/bad.gguf');
    forks[0]!.child.stderr.write('llama.cpp/ggml/src/ggml.c:123: GGML_ASSERT(eps >= 0.0f) failed\n');
    await new Promise((resolve) => setImmediate(resolve));
    forks[0]!.child.emit('exit', 134);
    expect(await verdict).toEqual({
      usable: false,
      reason: expect.stringMatching(/crashed on this file during a test load \(exit code 134\).*GGML_ASSERT/),
    });
  });

  it('kills a child that does not finish in time', async () => {
    const { utility, forks } = fakeUtility();
    const verdict = (await new ModelProbe(new UtilityProcessProbeLauncher(utility, '/probe.js'), 20).probe('/m.gguf'))!;
    expect(verdict.usable).toBe(false);
    expect(forks[0]!.child.killed).toBe(true);
  });
});
