// The probe's child process (see probe.ts): loads one GGUF with node-llama-cpp and generates one token, then exits 0.
// An ordinary error exits PROBE_FAILED_EXIT with the message on stderr; a GGML_ASSERT aborts this process only.
// Runs under plain Node (the browser host, tests) and as an Electron utilityProcess (the app).
import { getLlama, resolveChatWrapper, type ChatHistoryItem } from 'node-llama-cpp';
import { hasChatTemplate } from './local-prompt';
import { withoutDebuggerBacktrace } from './no-backtrace';
import { PROBE_FAILED_EXIT, TEMPLATE_MARKER } from './probe';

/** A short conversation of every kind of turn, as a task run's prompt has them. */
const SAMPLE: ChatHistoryItem[] = [
  { type: 'system', text: 'You are a careful reader of fiction.' },
  { type: 'user', text: 'Read this passage.' },
  { type: 'model', response: ['I have read it.'] },
  { type: 'user', text: 'What happens in it?' },
];

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
  // The chat template writes every prompt Quire sends, on its main thread: one that loops for minutes would freeze it.
  // It is resolved as the app resolves it and made to write a short conversation here, under the probe's clock.
  if (hasChatTemplate(model)) {
    process.stderr.write(`${TEMPLATE_MARKER}\n`);
    resolveChatWrapper(model).generateContextState({ chatHistory: SAMPLE });
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
