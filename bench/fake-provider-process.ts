// The gateway bench's loopback fake provider in its own process, as a real provider is remote: its CPU (parsing each
// request, writing each answer) is not spent on the event loop of whatever calls it (Quire's app in the bench's main
// thread, or Portkey in its process). Scripts the one model the bench calls, prints its OpenAI base URL, and serves
// until its stdin closes (the bench ended, however it ended) or it is killed.
import { startFakeLlmServer } from '../test/support/fake-llm-server';

const server = await startFakeLlmServer({ port: 0 });
server.script('primary', {
  text: 'The timeline holds across chapters three and four, and the door stays blue throughout.',
  inputTokens: 800,
  outputTokens: 60,
});
process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
process.stdin.resume();
console.log(server.openaiBaseUrl);
