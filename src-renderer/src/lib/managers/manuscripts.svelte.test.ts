import { describe, expect, it } from 'vitest';
import type { Manuscript } from '$contract/manuscripts';
import { FakeApi, FakeError } from '../../../../test/renderer/fake-api';
import { ManuscriptsManager } from './manuscripts.svelte';

const manuscript = (id: string): Manuscript => ({
  id,
  title: `Novel ${id}`,
  source_path: `/books/${id}.md`,
  source_kind: 'file',
  chapter_count: 2,
  paragraph_count: 2,
  word_count: 4,
  created_at: '2026-12-01T10:00:00.000Z',
  text: '# One\n\nA b.\n\n# Two\n\nC d.\n',
  chapters: [],
  on_disk: 'unchanged',
});

describe('ManuscriptsManager', () => {
  it('opens a manuscript by its path, makes it current and lists it; picks one opened before', async () => {
    const { text: _t, chapters: _c, ...summary } = manuscript('m1');
    const fake = new FakeApi()
      .answer('manuscripts:open', manuscript('m1'))
      .answer('manuscripts:list', [summary])
      .answer('manuscripts:get', ({ id }) => manuscript(id));
    const manager = new ManuscriptsManager(fake);
    const opened = await manager.open('  /books/m1.md ');
    expect(fake.inputsOf('manuscripts:open')).toEqual([{ path: '/books/m1.md' }]);
    expect(opened?.text).toContain('# Two');
    expect(manager.current?.id).toBe('m1');
    await manager.load();
    expect(manager.list.map((m) => m.id)).toEqual(['m1']);
    expect((await manager.use('m2'))?.id).toBe('m2');
    expect(manager.current?.id).toBe('m2');
    manager.leave();
    expect(manager.current).toBeNull();
    // Dropped or uploaded: on screen, and listed.
    const listed = fake.countOf('manuscripts:list');
    await manager.opened(manuscript('m3'));
    expect(manager.current?.id).toBe('m3');
    expect(fake.countOf('manuscripts:list')).toBe(listed + 1);
  });

  it('recalls the manuscript whose text the window kept over a reload; one removed since says nothing', async () => {
    const fake = new FakeApi().answer('manuscripts:get', ({ id }) => manuscript(id));
    const manager = new ManuscriptsManager(fake);
    await manager.recall('m1');
    expect(manager.current).toMatchObject({ id: 'm1', on_disk: 'unchanged' });
    // One already on screen (opened meanwhile) stays.
    await manager.recall('m2');
    expect(manager.current?.id).toBe('m1');
    manager.leave();
    fake.fail('manuscripts:get', 'not_found', 'That manuscript is no longer in your library.');
    await manager.recall('m3');
    expect([manager.current, manager.error]).toEqual([null, null]);
  });

  it('opens the new version of the manuscript on screen from its place; the copy opened before stays listed', async () => {
    let version = 1;
    const fake = new FakeApi()
      .answer('manuscripts:get', { ...manuscript('m1'), on_disk: 'changed' })
      .answer('manuscripts:open', ({ path }) => ({ ...manuscript(`m${++version}`), source_path: path }))
      .answer('manuscripts:list', []);
    const manager = new ManuscriptsManager(fake);
    expect(await manager.openNewVersion()).toBeNull();
    await manager.use('m1');
    expect(manager.current?.on_disk).toBe('changed');
    const opened = await manager.openNewVersion();
    expect(fake.inputsOf('manuscripts:open')).toEqual([{ path: '/books/m1.md' }]);
    expect(opened?.id).toBe('m2');
    expect(manager.current).toMatchObject({ id: 'm2', on_disk: 'unchanged' });
    expect(fake.countOf('manuscripts:delete')).toBe(0);
  });

  it('looks at the file of the manuscript on screen again (the writer came back to Quire); none on screen, no call', async () => {
    let onDisk: 'unchanged' | 'changed' = 'unchanged';
    const fake = new FakeApi()
      .answer('manuscripts:get', ({ id }) => manuscript(id))
      .answer('manuscripts:check', () => ({ on_disk: onDisk }));
    const manager = new ManuscriptsManager(fake);
    await manager.recheck();
    expect(fake.countOf('manuscripts:check')).toBe(0);
    await manager.use('m1');
    const shown = manager.current;
    await manager.recheck();
    // Nothing changed: the manuscript on screen is left as it is.
    expect(manager.current).toBe(shown);
    onDisk = 'changed';
    await manager.recheck();
    expect(fake.inputsOf('manuscripts:check')).toEqual([{ id: 'm1' }, { id: 'm1' }]);
    expect(manager.current).toMatchObject({ id: 'm1', on_disk: 'changed', text: shown!.text });

    // An answer about a manuscript no longer on screen changes nothing; nor does a failed look.
    const held = fake.hold('manuscripts:check');
    const late = manager.recheck();
    const call = await held.next();
    await manager.use('m2');
    call.resolve({ on_disk: 'missing' });
    await late;
    expect(manager.current).toMatchObject({ id: 'm2', on_disk: 'unchanged' });
    fake.fail('manuscripts:check', 'not_found', 'That manuscript is no longer in your library.');
    await manager.recheck();
    expect([manager.current?.on_disk, manager.error]).toEqual(['unchanged', null]);
  });

  it('says why a path was refused and keeps the manuscript on screen', async () => {
    const fake = new FakeApi().answer('manuscripts:get', manuscript('m1')).answer('manuscripts:open', () => {
      throw new FakeError('not_found', 'There is no file or folder at /nope.md.');
    });
    const manager = new ManuscriptsManager(fake);
    await manager.use('m1');
    expect(await manager.open('/nope.md')).toBeNull();
    expect(manager.error?.message).toBe('There is no file or folder at /nope.md.');
    expect(manager.current?.id).toBe('m1');
  });

  it('forgets a kept manuscript and lists what is left; a refusal says why and changes nothing on screen', async () => {
    const { text: _t, chapters: _c, ...summary } = manuscript('m2');
    let kept = [{ ...summary, id: 'm1' }, summary];
    const fake = new FakeApi()
      .answer('manuscripts:open', manuscript('m1'))
      .answer('manuscripts:list', () => kept)
      .answer('manuscripts:delete', ({ id }) => {
        kept = kept.filter((m) => m.id !== id);
        return { deleted: true as const };
      });
    const manager = new ManuscriptsManager(fake);
    await manager.open('/books/m1.md');
    expect(await manager.remove('m2')).toBe(true);
    expect(manager.current?.id).toBe('m1');
    expect(manager.list.map((m) => m.id)).toEqual(['m1']);
    expect(await manager.remove('m1')).toBe(true);
    expect(manager.current).toBeNull();
    expect(manager.list).toEqual([]);
    expect(fake.inputsOf('manuscripts:delete')).toEqual([{ id: 'm2' }, { id: 'm1' }]);

    fake.fail('manuscripts:delete', 'not_found', 'Manuscript m9 not found');
    expect(await manager.remove('m9')).toBe(false);
    expect(manager.error?.message).toMatch(/not found/);
    expect(manager.busy).toBe(false);
  });
});
