import { describe, expect, it } from 'vitest';
import type { DownloadProgress, ResidentModelInfo } from '$contract/models';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { catalogItem, download, installed } from '../../../../test/renderer/fixtures';
import { ModelsManager } from './models.svelte';

const resident = (id: string, bytes: number): ResidentModelInfo => ({
  id,
  bytes,
  context_size: 4096,
  loaded_at: '2026-03-10T12:00:00.000Z',
  last_used_at: '2026-03-10T12:00:00.000Z',
  busy: false,
});

const progress = (id: string, received: number): DownloadProgress => ({
  id,
  received,
  total: 1000,
  bytes_per_s: 100,
  eta_s: 5,
});

function setup() {
  const fake = new FakeApi();
  fake.answer('models:catalog', [catalogItem('small', 8e9)]);
  fake.answer('models:installed', [installed('m1')]);
  fake.answer('models:resident', [resident('m1', 500), resident('m2', 250)]);
  fake.answer('models:downloads', []);
  return { fake, manager: new ModelsManager(fake) };
}

describe('ModelsManager', () => {
  it('loads the catalog, the library, what is in memory and the downloads', async () => {
    const { manager } = setup();
    expect(manager.loaded).toBe(false);
    await manager.load();
    expect(manager.loaded).toBe(true);
    expect(manager.catalog.map((item) => item.id)).toEqual(['small']);
    expect(manager.installed.map((model) => model.id)).toEqual(['m1']);
    expect(manager.residentBytes).toBe(750);
    expect(manager.budgetBytes).toBe(8e9);
    expect(manager.error).toBeNull();
  });

  it('is not loaded, and says why, when any list cannot be read', async () => {
    const { fake, manager } = setup();
    fake.fail('models:installed', 'storage_error', 'models folder unreadable');
    await manager.load();
    expect(manager.loaded).toBe(false);
    expect(manager.error).toMatchObject({ message: 'models folder unreadable' });
  });

  it('starts a download, shows it at once and refreshes the catalog', async () => {
    const { fake, manager } = setup();
    await manager.load();
    fake.answer('models:download', download('small', { catalog_id: 'small' }));
    fake.answer('models:catalog', [{ ...catalogItem('small'), download: download('small') }]);
    const starting = manager.download({ id: 'small' }, 'catalog:small');
    expect(manager.busy).toEqual({ 'catalog:small': 'catalog:small' });
    await expect(starting).resolves.toBe(true);
    expect(manager.busy).toEqual({});
    expect(manager.downloads.map((item) => item.id)).toEqual(['small']);
    expect(manager.catalog[0]?.download?.id).toBe('small');
  });

  it('keeps an action’s error where the action was taken, until the same action succeeds', async () => {
    const { fake, manager } = setup();
    fake.fail('models:download', 'download_error', 'disk full');
    await expect(manager.download({ id: 'small' }, 'catalog:small')).resolves.toBe(false);
    expect(manager.errorFor('catalog:small')).toMatchObject({ message: 'disk full' });
    expect(manager.errorFor('url')).toBeNull();
    expect(manager.busy).toEqual({});
    fake.answer('models:download', download('small'));
    await manager.download({ id: 'small' }, 'catalog:small');
    expect(manager.errorFor('catalog:small')).toBeNull();
  });

  it('a list re-read inside an action fails the action, not the screen', async () => {
    const { fake, manager } = setup();
    await manager.load();
    fake.answer('models:download', download('small'));
    fake.fail('models:catalog', 'internal', 'catalog broken');
    await expect(manager.download({ id: 'small' }, 'catalog:small')).resolves.toBe(false);
    expect(manager.errorFor('catalog:small')).toMatchObject({ message: 'catalog broken' });
    expect(manager.error).toBeNull();
  });

  it('moves download progress from events, and fetches a download it does not know yet once', async () => {
    const { fake, manager } = setup();
    await manager.load();
    fake.answer('models:downloads', [download('a')]);
    const lists = fake.hold('models:downloads');
    manager.listen();
    fake.emit('download:progress', progress('a', 100));
    fake.emit('download:progress', progress('a', 200));
    // Ticks come faster than answers: one fetch, not one per tick (each would drop the one before).
    expect(lists.count).toBe(1);
    (await lists.next()).resolve([download('a')]);
    await fake.settled();
    fake.emit('download:progress', progress('a', 300));
    expect(manager.downloads[0]).toMatchObject({ id: 'a', received: 300 });
    expect(manager.progress.a).toMatchObject({ received: 300 });
    expect(lists.count).toBe(1);
  });

  it('reloads everything when a download finishes, and records one that failed', async () => {
    const { fake, manager } = setup();
    await manager.load();
    manager.listen();
    fake.emit('download:progress', progress('a', 100));
    fake.answer('models:installed', [installed('m1'), installed('a')]);
    fake.emit('download:done', { id: 'a', name: 'Alpha', model: installed('a') });
    await fake.settled();
    expect(manager.notice).toBe('Alpha finished downloading and is installed.');
    expect(manager.installed.map((model) => model.id)).toEqual(['m1', 'a']);
    expect(manager.progress).toEqual({});

    fake.emit('download:failed', { id: 'b', name: 'Beta', reason: 'network', message: 'reset', retryable: true });
    await fake.settled();
    expect(manager.failures).toEqual([{ id: 'b', name: 'Beta', reason: 'network', message: 'reset', retryable: true }]);
    manager.dismissFailure('b');
    manager.clearNotice();
    expect(manager.failures).toEqual([]);
    expect(manager.notice).toBeNull();
  });

  it('follows the downloads once however many screens listen (the welcome and the Workbench), until the last stops', async () => {
    const { fake, manager } = setup();
    await manager.load();
    const offWelcome = manager.listen();
    const offWorkbench = manager.listen();
    const before = fake.countOf('models:installed');
    fake.emit('download:done', { id: 'a', name: 'Alpha', model: installed('a') });
    await fake.settled();
    expect(fake.countOf('models:installed') - before).toBe(1);

    offWelcome();
    fake.emit('download:progress', progress('a', 100));
    expect(manager.progress['a']?.received).toBe(100);
    offWorkbench();
    fake.emit('download:progress', progress('a', 200));
    expect(manager.progress['a']?.received).toBe(100);
  });

  it('says where a catalog model’s download stands: in flight, being checked, failed with its retry, or installed', async () => {
    const { fake, manager } = setup();
    fake.answer('models:catalog', [
      catalogItem('small'),
      catalogItem('copy'),
      { ...catalogItem('had'), installed: true },
    ]);
    fake.answer('models:downloads', [download('small', { catalog_id: 'small' })]);
    await manager.load();
    manager.listen();
    expect(manager.downloadState('copy')).toEqual({ kind: 'none' });
    expect(manager.downloadState('had')).toEqual({ kind: 'installed', message: null });
    expect(manager.downloadState('small')).toMatchObject({ kind: 'downloading', received: 0, total: 1000 });
    fake.emit('download:progress', progress('small', 400));
    expect(manager.downloadState('small')).toEqual({
      kind: 'downloading',
      received: 400,
      total: 1000,
      bytes_per_s: 100,
      eta_s: 5,
    });
    // Every byte is in: Quire checks the file and test-loads it.
    fake.emit('download:progress', progress('small', 1000));
    expect(manager.downloadState('small')).toMatchObject({ kind: 'checking', received: 1000 });

    // It failed its checksum: the catalog is asked again too (its entry no longer says "downloading"), and the
    // state is the failure with its reason and the retry it takes.
    const failed = download('small', {
      catalog_id: 'small',
      status: 'failed',
      error: { reason: 'checksum_mismatch', message: 'The downloaded file is corrupt.' },
    });
    fake.answer('models:downloads', [failed]);
    fake.answer('models:catalog', [{ ...catalogItem('small'), download: failed }, catalogItem('copy')]);
    const catalogs = fake.inputsOf('models:catalog').length;
    fake.emit('download:failed', {
      id: 'small',
      name: 'Catalog small',
      reason: 'checksum_mismatch',
      message: 'The downloaded file is corrupt.',
      retryable: false,
    });
    const corrupt = { kind: 'failed', message: 'The downloaded file is corrupt.', retry: 'Download again' };
    expect(manager.downloadState('small')).toEqual(corrupt);
    await fake.settled();
    expect(fake.inputsOf('models:catalog')).toHaveLength(catalogs + 1);
    expect(manager.catalog[0]?.download?.status).toBe('failed');
    // Still so from the lists alone (after a reload, say).
    manager.dismissFailure('small');
    expect(manager.downloadState('small')).toEqual(corrupt);
    // Tried again: in flight once more.
    fake.answer('models:download', download('small', { catalog_id: 'small' }));
    fake.answer('models:catalog', [catalogItem('small'), catalogItem('copy')]);
    await manager.download({ id: 'small' }, 'catalog:small');
    expect(manager.downloadState('small')).toMatchObject({ kind: 'downloading' });

    // A dropped connection, then resumed (here or in another window): its progress shows again.
    fake.answer('models:downloads', [
      download('small', { catalog_id: 'small', status: 'failed', error: { reason: 'stalled', message: 'Stalled.' } }),
    ]);
    fake.emit('download:failed', {
      id: 'small',
      name: 'Catalog small',
      reason: 'stalled',
      message: 'Stalled.',
      retryable: true,
    });
    expect(manager.downloadState('small')).toEqual({ kind: 'failed', message: 'Stalled.', retry: 'Resume' });
    await fake.settled();
    expect(manager.downloads[0]?.status).toBe('failed');
    fake.emit('download:progress', progress('small', 500));
    expect(manager.downloadState('small')).toMatchObject({ kind: 'downloading', received: 500 });

    // The same file as a model already installed: its download is gone, and it is installed.
    fake.emit('download:failed', {
      id: 'copy',
      name: 'Catalog copy',
      reason: 'already_installed',
      message: 'Model m1 is already installed (same file).',
      retryable: false,
    });
    expect(manager.downloadState('copy')).toEqual({
      kind: 'installed',
      message: 'Model m1 is already installed (same file).',
    });
    await fake.settled();
  });

  it('a download that ended before its start was answered stays ended (a file already installed ends at once)', async () => {
    const { fake, manager } = setup();
    fake.answer('models:catalog', [catalogItem('copy'), catalogItem('quick')]);
    await manager.load();
    manager.listen();
    const starts = fake.hold('models:download');
    const copy = manager.download({ id: 'copy' }, 'catalog:copy');
    const started = await starts.next();
    fake.emit('download:failed', {
      id: 'copy',
      name: 'Catalog copy',
      reason: 'already_installed',
      message: 'Model m1 is already installed (same file).',
      retryable: false,
    });
    started.resolve(download('copy', { catalog_id: 'copy' }));
    await copy;
    expect(manager.downloadState('copy')).toMatchObject({ kind: 'installed' });
    expect(manager.downloads).toEqual([]);

    const quick = manager.download({ id: 'quick' }, 'catalog:quick');
    const second = await starts.next();
    fake.answer('models:installed', [installed('m1'), installed('quick')]);
    fake.answer('models:catalog', [catalogItem('copy'), { ...catalogItem('quick'), installed: true }]);
    fake.emit('download:done', { id: 'quick', name: 'Catalog quick', model: installed('quick') });
    second.resolve(download('quick', { catalog_id: 'quick' }));
    await quick;
    await fake.settled();
    expect(manager.downloads).toEqual([]);
    expect(manager.downloadState('quick')).toEqual({ kind: 'installed', message: null });
  });

  it('shows a catalog model whose file the host knows is installed under another name as installed, after a reload too', async () => {
    const { fake, manager } = setup();
    fake.answer('models:catalog', [{ ...catalogItem('copy'), installed_as: 'Model m1' }]);
    await manager.load();
    expect(manager.downloadState('copy')).toEqual({
      kind: 'installed',
      message: 'Model m1 is already installed (same file).',
    });
  });

  it('asks the catalog again when a download is refused (the host may have learned the file is installed)', async () => {
    const { fake, manager } = setup();
    fake.answer('models:catalog', [catalogItem('copy')]);
    await manager.load();
    fake.fail('models:download', 'conflict', 'Model m1 is already installed (same file).');
    fake.answer('models:catalog', [{ ...catalogItem('copy'), installed_as: 'Model m1' }]);
    expect(await manager.download({ id: 'copy' }, 'catalog:copy')).toBe(false);
    expect(manager.downloadState('copy')).toMatchObject({ kind: 'installed' });
  });

  it('an imported or uploaded file that is a catalog model’s shows on its card at once, not after a reload', async () => {
    const { fake, manager } = setup();
    fake.answer('models:catalog', [catalogItem('story')]);
    await manager.load();
    fake.answer('models:import', installed('mine', { name: 'My model' }));
    fake.answer('models:installed', [installed('mine', { name: 'My model' })]);
    fake.answer('models:catalog', [{ ...catalogItem('story'), installed_as: 'My model' }]);
    await manager.importFile('/tmp/mine.gguf', undefined, 'import');
    expect(manager.downloadState('story')).toMatchObject({ kind: 'installed' });

    fake.answer('models:catalog', [catalogItem('story')]);
    await manager.load();
    fake.answer('models:catalog', [{ ...catalogItem('story'), installed_as: 'Uploaded model' }]);
    await manager.added(installed('up', { name: 'Uploaded model' }));
    expect(manager.downloadState('story')).toMatchObject({ kind: 'installed' });
  });

  it('keeps at the top only the failures no card or downloads row shows', async () => {
    const { fake, manager } = setup();
    await manager.load();
    manager.listen();
    fake.answer('models:downloads', [download('url-1', { status: 'failed' })]);
    for (const id of ['small', 'url-1', 'url-2'])
      fake.emit('download:failed', {
        id,
        name: id,
        reason: 'already_installed',
        message: 'Same file.',
        retryable: false,
      });
    await fake.settled();
    // "small" is a catalog card's, "url-1" has its row in the downloads list; "url-2" is gone from both.
    expect(manager.loneFailures.map((failure) => failure.id)).toEqual(['url-2']);
  });

  it('pauses, resumes and cancels downloads with the host’s answers', async () => {
    const { fake, manager } = setup();
    fake.answer('models:downloads', [download('a'), download('b')]);
    await manager.load();
    fake.answer('models:pause', download('a', { status: 'paused' }));
    await manager.pause('a');
    expect(manager.downloads.map((item) => item.status)).toEqual(['paused', 'downloading']);
    fake.answer('models:resume', download('a'));
    await manager.resume('a');
    expect(manager.downloads[0]?.status).toBe('downloading');
    fake.answer('models:cancel', [download('b')]);
    await manager.cancel('a');
    expect(manager.downloads.map((item) => item.id)).toEqual(['b']);
  });

  it('deletes, imports, loads and unloads models, refreshing what each one changes', async () => {
    const { fake, manager } = setup();
    await manager.load();
    fake.answer('models:delete', []);
    fake.answer('models:resident', []);
    await manager.remove('m1');
    expect(manager.installed).toEqual([]);
    expect(manager.residentBytes).toBe(0);

    fake.answer('models:import', installed('mine', { name: 'My model' }));
    fake.answer('models:installed', [installed('mine')]);
    await expect(manager.importFile('/tmp/mine.gguf', 'My model', 'import')).resolves.toBe(true);
    expect(manager.notice).toBe('My model was imported and is ready to use.');
    expect(fake.inputsOf('models:import')).toEqual([
      { path: '/tmp/mine.gguf', name: 'My model', import_id: expect.any(String) },
    ]);

    // Uploaded (or chosen with the app's file picker) elsewhere: listed, and said so.
    fake.answer('models:installed', [installed('mine'), installed('up', { name: 'Uploaded model' })]);
    await manager.added(installed('up', { name: 'Uploaded model' }));
    expect(manager.installed.map((model) => model.id)).toEqual(['mine', 'up']);
    expect(manager.notice).toBe('Uploaded model was imported and is ready to use.');
    // One whose test load failed is listed with why, never said to be ready.
    await manager.added(installed('bad', { name: 'Broken model', unusable: 'Its test load failed (invalid n_rot)' }));
    expect(manager.notice).toBe(
      "Broken model was added, but Quire can't use it: Its test load failed (invalid n_rot). Delete it from the list below.",
    );

    fake.answer('models:load', resident('mine', 900));
    fake.answer('models:resident', [resident('mine', 900)]);
    await manager.loadModel('mine');
    expect(manager.residentBytes).toBe(900);
    fake.answer('models:unload', []);
    await manager.unloadModel('mine');
    expect(manager.resident).toEqual([]);
  });

  it('an import by path shows how far its copy, check and test load have got, and Stop stops it', async () => {
    const fake = new FakeApi();
    fake.answer('models:catalog', []);
    fake.answer('models:installed', []);
    fake.answer('models:resident', []);
    fake.answer('models:downloads', []);
    const manager = new ModelsManager(fake, () => 'imp-1');
    await manager.load();
    const off = manager.listen();
    const held = fake.hold('models:import');
    const importing = manager.importFile('/Users/me/Downloads/story.gguf', undefined, 'import');
    expect(manager.importState('import')).toEqual({ stage: 'copying', copied: 0, total: null });
    const call = await held.next();
    expect(call.input).toEqual({ path: '/Users/me/Downloads/story.gguf', import_id: 'imp-1' });

    fake.emit('import:progress', { import_id: 'other', stage: 'testing', copied: 9, total: 9 });
    fake.emit('import:progress', { import_id: 'imp-1', stage: 'copying', copied: 400, total: 1000 });
    expect(manager.importState('import')).toEqual({ stage: 'copying', copied: 400, total: 1000 });
    fake.emit('import:progress', { import_id: 'imp-1', stage: 'testing', copied: 1000, total: 1000 });
    expect(manager.importState('import')).toEqual({ stage: 'testing', copied: 1000, total: 1000 });

    fake.answer('models:import_stop', { stopping: true });
    await manager.stopImport('import');
    expect(fake.inputsOf('models:import_stop')).toEqual([{ import_id: 'imp-1' }]);
    call.reject('cancelled', 'You stopped the import of story.gguf: nothing was added to your models folder.');
    await expect(importing).resolves.toBe(false);
    expect(manager.importState('import')).toBeNull();
    expect(manager.errorFor('import')).toMatchObject({ code: 'cancelled' });
    off();
  });

  it('follows what is in memory as the host pushes it (a task loaded a model; an idle one was unloaded)', async () => {
    const { fake, manager } = setup();
    await manager.load();
    const off = manager.listen();
    fake.emit('resident:changed', [{ ...resident('m1', 500), busy: true }]);
    expect(manager.resident).toEqual([{ ...resident('m1', 500), busy: true }]);
    expect(manager.residentBytes).toBe(500);
    fake.emit('resident:changed', []);
    expect(manager.resident).toEqual([]);
    off();
  });

  it('checks whether a model would fit, and shows where the models folder is', async () => {
    const { fake, manager } = setup();
    fake.answer('models:fit', catalogItem('x').fit);
    await expect(manager.fit('https://example.org/x.gguf', 'url')).resolves.toMatchObject({ verdict: 'fits' });
    fake.fail('models:fit', 'unavailable', 'no range reads');
    await expect(manager.fit('https://example.org/x.gguf', 'url')).resolves.toBeNull();
    expect(manager.errorFor('url')).toMatchObject({ message: 'no range reads' });
    fake.answer('app:reveal', { path: '/data/models' });
    await manager.reveal();
    expect(manager.notice).toBe('Your models are in /data/models');
  });

  it('shows the newest downloads list when an older answer lands last; reset() forgets it all', async () => {
    const { fake, manager } = setup();
    await fake.answerLastFirst('models:downloads', [
      [() => manager.load(), [download('old')]],
      [() => manager.load(), [download('new')]],
    ]);
    expect(manager.downloads.map((item) => item.id)).toEqual(['new']);
    manager.reset();
    expect(manager.loaded).toBe(false);
    expect(manager.catalog).toEqual([]);
  });
});
