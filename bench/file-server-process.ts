// The loopback file server in its own process, so the download benchmark does not make Quire's downloader share an
// event loop with the server (curl never does). argv: <file>. Prints the URL, serves until killed.
import { startFileServer } from '../test/support/file-server';

const server = await startFileServer();
server.route('/model.gguf', { file: process.argv[2]! });
console.log(server.url);
