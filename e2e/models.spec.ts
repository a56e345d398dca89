// Models: add the generated GGUF fixture by URL from a loopback file server, watch the progress, cancel one download,
// complete another, see it installed and load it into memory.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import { startFileServer, type FileServer } from '../test/support/file-server';
import { startHost, type RunningHost } from './support/host';

let host: RunningHost;
let files: FileServer;

test.use({ viewport: { width: 1280, height: 1100 } });
test.beforeEach(async () => {
  const fixture = tinyLlamaFixture();
  files = await startFileServer({ port: 0 });
  // Throttled so progress is visible: the slow one would take ~20 s, the other ~3 s.
  files.route('/slow.gguf', { file: fixture, faults: { bytesPerSecond: 25_000 } });
  files.route('/story.gguf', { file: fixture, faults: { bytesPerSecond: 180_000 } });
  host = await startHost();
});
test.afterEach(async () => {
  await host.stop();
  await files.close();
});

/** At a 900px-wide window the screen has no sideways scroll (it was 6px too wide); then back to the test's size. */
async function fitsAt900(page: Page): Promise<void> {
  await page.setViewportSize({ width: 900, height: 1100 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(900);
  await page.setViewportSize({ width: 1280, height: 1100 });
}

test('a model added by URL downloads with progress, one is cancelled, the other installs and loads', async ({
  page,
}) => {
  await page.goto(`${host.url}/#/models`);
  await expect(page.getByTestId('models-empty')).toBeVisible();
  await fitsAt900(page);

  const addByUrl = async (path: string, name: string) => {
    await page.getByLabel('GGUF file URL').fill(`${files.url}${path}`);
    await page.getByLabel('Name (optional)').first().fill(name);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
  };

  await addByUrl('/slow.gguf', 'Slow fixture');
  const slow = page.getByTestId('download-Slow fixture');
  await expect(slow).toBeVisible();
  const slowBar = slow.getByRole('progressbar');
  await expect.poll(async () => Number(await slowBar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await expect(slow.getByTestId('speed')).toContainText('/s');
  await expect(slow.getByTestId('eta')).toContainText('left');
  await expect(page.getByRole('button', { name: '1 download', exact: true })).toBeVisible();

  await addByUrl('/story.gguf', 'Story fixture');
  const story = page.getByTestId('download-Story fixture');
  await expect(story).toBeVisible();
  await expect
    .poll(async () => Number(await story.getByRole('progressbar').getAttribute('aria-valuenow')))
    .toBeGreaterThan(0);
  await page.screenshot({ path: 'e2e/screenshots/models-downloading.png' });

  // Pause and resume the slow one, then give up on it.
  await slow.getByRole('button', { name: 'Pause' }).click();
  await expect(slow).toContainText('Paused');
  await slow.getByRole('button', { name: 'Resume' }).click();
  await expect(slow).toContainText('Downloading');
  await page.getByRole('button', { name: 'Cancel the download of Slow fixture' }).click();
  await expect(slow).toHaveCount(0);

  const installed = page.getByTestId('installed-Story fixture');
  await expect(installed).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('models-notice')).toContainText('Story fixture finished downloading');
  await expect(page.getByTestId('installed-Slow fixture')).toHaveCount(0);
  await expect(installed.getByTestId('residency')).toContainText('Unloaded');

  await page.getByRole('button', { name: 'Load Story fixture' }).click();
  await expect(installed.getByTestId('residency')).toContainText('Loaded', { timeout: 30_000 });
  await expect(installed.getByTestId('residency')).toContainText('in use');
  const resident = await host.call<{ id: string }[]>('models:resident');
  expect(resident.value).toHaveLength(1);
  const downloads = await host.call<unknown[]>('models:downloads');
  expect(downloads.value).toEqual([]);

  // The row's rule runs under every cell, its buttons' too: each cell is as tall as the row.
  const heights = await installed.evaluate((row) =>
    [...row.children].map((cell) => cell.getBoundingClientRect().height),
  );
  expect(new Set(heights).size).toBe(1);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'e2e/screenshots/models-installed.png' });
  await fitsAt900(page);

  // Unload, then delete with confirmation.
  await installed.getByRole('button', { name: 'Unload' }).click();
  await expect(installed.getByTestId('residency')).toContainText('Unloaded');
  await page.getByRole('button', { name: 'Delete Story fixture' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this model?' });
  await expect(dialog).toContainText('Story fixture (521 KB) will be removed');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(installed).toBeVisible();
  // A writer who chose "free and private" is told what deleting their only model leaves them: nothing can run. Their
  // automatic selection is on, so the shipped packs (which decide only when it is off) are not brought up.
  expect((await host.call('settings:set', { orchestrator: { enabled: true, force_local: true } })).ok).toBe(true);
  await page.getByRole('button', { name: 'Delete Story fixture' }).click();
  await expect(dialog).toContainText(
    'It is the only model Quire can use while “Keep everything on this Mac” is on: no task can run until you ' +
      'download or add another.',
  );
  await expect(dialog).not.toContainText('model pack');
  await dialog.getByRole('button', { name: 'Delete model' }).click();
  await expect(installed).toHaveCount(0);
  await expect(page.getByTestId('models-empty')).toBeVisible();
  expect((await host.call<unknown[]>('models:installed')).value).toEqual([]);
});

test('a model imported by its path shows each step with a Stop; stopped, nothing of it is kept', async ({ page }) => {
  const file = tinyLlamaFixture({ seed: 40, embd: 512, layers: 4, name: 'Harbour Reader' });
  // A model of 2 GB (a valid header, its tail a hole on disk): its copy and SHA-256 take seconds on any machine, so the
  // Stop lands while it copies. A tens-of-MB model's test load could end before the click did.
  const large = join(mkdtempSync(join(tmpdir(), 'quire-e2e-import-')), 'tiny-llama-large.gguf');
  copyFileSync(file, large);
  truncateSync(large, 2 * 1024 ** 3);
  await page.goto(`${host.url}/#/models`);
  await expect(page.getByTestId('models-empty')).toBeVisible();
  await page.getByLabel('Path to the file on this Mac').fill(large);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const progress = page.getByTestId('import-progress');
  await expect(progress.getByRole('progressbar')).toHaveAccessibleName(/^Copying tiny-llama-large\.gguf/);
  await page.screenshot({ path: 'e2e/screenshots/models-importing.png' });
  await progress.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('import-error')).toContainText(
    'You stopped the import of tiny-llama-large.gguf: nothing was added to your models folder.',
  );
  await expect(progress).toHaveCount(0);
  expect((await host.call<unknown[]>('models:installed')).value).toEqual([]);
  const modelsDir = join(host.dataDir, 'models');
  expect(readdirSync(modelsDir).filter((name) => name.endsWith('.gguf'))).toEqual([]);
  expect(readdirSync(join(modelsDir, '.partial'))).toEqual([]);
  rmSync(dirname(large), { recursive: true, force: true });

  // The model itself, imported and left to finish: listed, and the stop is no longer shown.
  await page.getByLabel('Path to the file on this Mac').fill(file);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByTestId('installed-Harbour Reader')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('models-notice')).toContainText('Harbour Reader was imported and is ready to use.');
  await expect(page.getByTestId('import-error')).toHaveCount(0);
});
