// Preloaded (--import) into Portkey's own process by the gateway bench, so it stays on loopback:
// - Portkey's start-server.js listens on every interface on a fixed port; this binds it to 127.0.0.1 on a free port
//   instead and tells the bench which one;
// - its fetch may reach only 127.0.0.1/localhost (anything else is refused, so a figure can never involve the network);
// - the Response it gets back has ordinary headers: Portkey 1.15.2 appends its own headers to the upstream Response,
//   which Node 24's fetch marks immutable ("TypeError: immutable" on every streamed call).
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const callback = args.find((arg) => typeof arg === 'function');
  this.once('listening', () => process.send?.({ port: this.address().port }));
  return callback ? listen.call(this, 0, '127.0.0.1', callback) : listen.call(this, 0, '127.0.0.1');
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const fetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!LOOPBACK.has(url.hostname)) throw new Error(`The bench's Portkey may only reach loopback, not ${url.host}`);
  const response = await fetch(input, init);
  return new Response(response.body, response);
};
