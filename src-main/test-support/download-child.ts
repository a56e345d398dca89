// Run as a separate process by the "killed mid-download" test: starts a download and reports progress on stdout
// until the parent kills it with SIGKILL. argv: <data dir> <models dir> <url> <sha256>
import { join } from 'node:path';
import { EventBus } from '../app/event-bus';
import { openDatabase } from '../store/database';
import { fixtureStack } from './local-fixture';

const [dataDir, modelsDir, url, sha256] = process.argv.slice(2) as [string, string, string, string];
const db = openDatabase(join(dataDir, 'quire.sqlite'));
const events = new EventBus();
const stack = fixtureStack(db, events, modelsDir);
events.subscribe((event) => {
  if (event.name === 'download:progress') console.log(JSON.stringify(event.payload));
});
const info = await stack.downloads.start({ url, sha256, name: 'killed' });
console.log(JSON.stringify({ started: info.id }));
