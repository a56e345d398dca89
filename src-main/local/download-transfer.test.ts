// The transfer's write chain: whatever fails in it (a write, a sync, or the caller's header callback) ends the
// transfer at once with that failure. Before, a failure other than a write's left the chain rejected: later batches
// were never written or released, the socket stayed paused, and the writer saw "the download stalled" a minute later.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/database';
import { LocalModelsRepo } from '../store/repos/local-models-repo';
import { startFileServer, type FileServer } from '../../test/support/file-server';
import { useTempDir } from '../../test/support/temp-dir';
import { HttpTransfer } from './download-transfer';

const tempDir = useTempDir();
let server: FileServer;
let db: Db;
let dir: string;
beforeAll(async () => {
  dir = tempDir();
  // Past the 16 MiB after which the header callback runs, with several MiB still to come after it.
  const file = join(dir, 'big.gguf');
  writeFileSync(file, Buffer.alloc(24 * 1024 * 1024, 7));
  server = await startFileServer();
  server.route('/big.gguf', { file });
  db = openDatabase(join(dir, 'quire.sqlite'));
});
afterAll(async () => {
  db.close();
  await server.close();
});

it('ends with the header callback’s own error at once, not a stall, when the callback throws mid-transfer', async () => {
  const repo = new LocalModelsRepo(db, () => new Date());
  repo.insertDownload({
    id: 'd1',
    name: 'Big',
    url: `${server.url}/big.gguf`,
    catalog_id: null,
    partial_file: join(dir, 'big.gguf.partial'),
    final_file: join(dir, 'big-final.gguf'),
    expected_sha256: null,
    sha256_source: null,
    total_bytes: null,
    received_bytes: 0,
    status: 'downloading',
  });
  const transfer = new HttpTransfer({
    repo,
    // A stall would take this long to be reported: far past the test's own timeout.
    stallMs: 600_000,
    modelsDir: () => dir,
    checkFreeSpace: () => Promise.resolve(),
    emitProgress: () => undefined,
  });
  const gone = new Error('The download was removed while its header was being checked');
  await expect(
    transfer.transfer('d1', new AbortController().signal, { responded: false }, () => {
      throw gone;
    }),
  ).rejects.toBe(gone);
});
