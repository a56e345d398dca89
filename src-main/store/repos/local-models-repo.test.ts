import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../test/support/temp-dir';
import { openDatabase } from '../database';
import { LocalModelsRepo, type LocalModelRecord } from './local-models-repo';

const now = () => new Date('2026-12-02T08:00:00Z');

function record(id: string, catalogId: string | null): LocalModelRecord {
  return {
    id,
    name: id,
    file: `/models/${id}.gguf`,
    size_bytes: 1000,
    sha256: 'a'.repeat(64),
    verified_against: 'none',
    source: 'import',
    catalog_id: catalogId,
    url: null,
    architecture: 'llama',
    context_length: 2048,
    added_at: now().toISOString(),
  } as LocalModelRecord;
}

describe('LocalModelsRepo.modelByCatalogId (asked on every decision)', () => {
  const tempDir = useTempDir();

  it('finds a model by catalog id (the earliest stored) else by library id, and sees this connection’s changes at once', () => {
    const repo = new LocalModelsRepo(openDatabase(join(tempDir(), 'quire.sqlite')), now);
    expect(repo.modelByCatalogId('llama-3.2-3b')).toBeUndefined();
    repo.insertModel(record('llama-3.2-3b', 'llama-3.2-3b'));
    repo.insertModel(record('my-copy', 'llama-3.2-3b'));
    repo.insertModel(record('own-notes', null));
    expect(repo.modelByCatalogId('llama-3.2-3b')?.id).toBe('llama-3.2-3b');
    expect(repo.modelByCatalogId('own-notes')?.id).toBe('own-notes');
    repo.deleteModel('llama-3.2-3b');
    expect(repo.modelByCatalogId('llama-3.2-3b')?.id).toBe('my-copy');
  });

  it('sees a model another connection (another process) added from the next event-loop turn', async () => {
    const file = join(tempDir(), 'quire.sqlite');
    const ours = new LocalModelsRepo(openDatabase(file), now);
    const theirs = new LocalModelsRepo(openDatabase(file), now);
    expect(ours.modelByCatalogId('qwen')).toBeUndefined();
    theirs.insertModel(record('qwen', 'qwen'));
    await nextTurn();
    expect(ours.modelByCatalogId('qwen')?.id).toBe('qwen');
    theirs.deleteModel('qwen');
    await nextTurn();
    expect(ours.modelByCatalogId('qwen')).toBeUndefined();
  });
});
