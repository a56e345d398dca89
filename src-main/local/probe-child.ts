// The probe's child process (see probe.ts): loads one GGUF with node-llama-cpp and generates one token, then exits 0.
// An ordinary error exits PROBE_FAILED_EXIT with the message on stderr; a GGML_ASSERT aborts this process only.
// Runs under plain Node (the browser host, tests) and as an Electron utilityProcess (the app).
import { getLlama } from 'node-llama-cpp';
import { withoutDebuggerBacktrace } from './no-backtrace';
import { PROBE_FAILED_EXIT } from './probe';

async function probe(modelPath: string): Promise<void> {
  withoutDebuggerBacktrace();
  const llama = await getLlama({
    gpu: process.platform === 'darwin' ? 'auto' : false,
    build: 'never',
    maxThreads: 2,
    logLevel: 'error' as never,
  });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: 256, sequences: 1 });
  const sequence = context.getSequence();
  const prompt = model.tokenize('Once upon a time');
  for await (const token of sequence.evaluate(prompt.length > 0 ? prompt : [0 as never])) {
    void token;
    break; // one token is enough: the first decode is where bad norms and shapes assert
  }
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}

const modelPath = process.argv[2];
if (!modelPath) {
  process.stderr.write('probe-child: no model path given\n');
  process.exit(PROBE_FAILED_EXIT);
}
probe(modelPath).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(PROBE_FAILED_EXIT);
  },
);
