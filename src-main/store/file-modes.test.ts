// Private files (issue 14, item 5): the data directory is 0700 and quire.sqlite with its -wal and -shm 0600, also
// when an older Quire left them world-readable.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../test/support/temp-dir';
import { openDatabase } from './database';

const tempDir = useTempDir();
const mode = (path: string) => statSync(path).mode & 0o777;

describe('file modes of the data directory', () => {
  it('creates the data directory 0700 and quire.sqlite, -wal and -shm 0600', () => {
    const dataDir = join(tempDir(), 'data');
    const file = join(dataDir, 'quire.sqlite');
    const db = openDatabase(file);
    db.exec("CREATE TABLE IF NOT EXISTS t (x TEXT); INSERT INTO t VALUES ('a draft')");
    expect(mode(dataDir)).toBe(0o700);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(mode(path), path).toBe(0o600);
    db.close();
  });

  it('tightens a world-readable data directory and database left by an older version', () => {
    const dataDir = join(tempDir(), 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, 'quire.sqlite');
    openDatabase(file).close();
    chmodSync(file, 0o644);
    writeFileSync(`${file}-wal`, '');
    chmodSync(`${file}-wal`, 0o644);
    const db = openDatabase(file);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    db.close();
  });
});
