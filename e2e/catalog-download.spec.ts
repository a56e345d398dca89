// A catalog download that fails says so on its own card, with why and the button that tries again; one that turns out
// to be the same file as a model already installed says Installed. The catalog's files come from a loopback server.
import { expect, test, type Page } from '@playwright/test';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import { startFileServer, type FileServer } from '../test/support/file-server';
import { serveCatalog } from './support/catalog';
import { startHost, type RunningHost } from './support/host';

let host: RunningHost;
let files: FileServer;

test.use({ viewport: { width: 1280, height: 1100 } });
// Three downloads, each checked and test-loaded; on a loaded 2-core machine that can take most of a minute.
test.describe.configure({ timeout: 150_000 });
test.beforeEach(async () => {
  files = await startFileServer({ port: 0 });
  const story = tinyLlamaFixture();
  const catalog = serveCatalog(files, [
    // One byte of this file arrives flipped: the download fails its checksum.
    { id: 'harbour', display_name: 'Harbour Reader', registry_model_id: null, file: tinyLlamaFixture({ seed: 5 }) },
    { id: 'story', display_name: 'Story Helper', registry_model_id: null, file: story },
    // The very same file under another name, its checksum not in the catalog: only its download shows it is the same.
    { id: 'story-copy', display_name: 'Story Helper Copy', registry_model_id: null, file: story, unlisted: true },
    // Its server is down: the download cannot even start.
    {
      id: 'lighthouse',
      display_name: 'Lighthouse Writer',
      registry_model_id: null,
      file: tinyLlamaFixture({ seed: 6 }),
    },
  ]);
  files.setFaults('/lighthouse.gguf', { status: 503 });
  files.setFaults('/harbour.gguf', { flipByteAt: 4096 });
  host = await startHost({ env: { QUIRE_CATALOG: catalog } });
});
test.afterEach(async () => {
  await host.stop();
  await files.close();
});

const card = (page: Page, name: string) =>
  page
    .getByTestId('catalog')
    .getByRole('listitem')
    .filter({ has: page.getByText(name, { exact: true }) });

test('a failed catalog download says why on its card and tries again from there; the same file again says Installed', async ({
  page,
}) => {
  await page.goto(`${host.url}/#/models`);
  const harbour = card(page, 'Harbour Reader');
  await harbour.getByRole('button', { name: 'Download Harbour Reader' }).click();
  await expect(harbour.getByTestId('catalog-failure')).toContainText('The downloaded file is corrupt', {
    timeout: 60_000,
  });
  await expect(harbour).not.toContainText('Downloading');
  await harbour.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/catalog-download-failed.png' });

  // The server sends the file whole again: the card's own button gets it, and the card says Installed.
  files.setFaults('/harbour.gguf', undefined);
  await harbour.getByRole('button', { name: 'Download Harbour Reader again' }).click();
  await expect(harbour.getByTestId('catalog-installed')).toHaveText('Installed', { timeout: 60_000 });
  await expect(harbour.getByTestId('catalog-failure')).toHaveCount(0);

  const story = card(page, 'Story Helper');
  await story.getByRole('button', { name: 'Download Story Helper' }).click();
  await expect(story.getByTestId('catalog-installed')).toHaveText('Installed', { timeout: 60_000 });
  // The same file under another name: nothing to try again, it is already on this Mac.
  const copy = card(page, 'Story Helper Copy');
  await copy.getByRole('button', { name: 'Download Story Helper Copy' }).click();
  await expect(copy.getByTestId('catalog-installed')).toHaveText('Installed', { timeout: 60_000 });
  await expect(copy).toContainText('Story Helper is already installed (same file).');
  await expect(copy.getByRole('button')).toHaveCount(0);
  await expect(page.getByText('Check the URL and the checksum')).toHaveCount(0);
  await copy.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/catalog-download-same-file.png' });

  // What the host learned from that download outlives the window: after a reload the card still says why.
  await page.reload();
  await expect(copy.getByTestId('catalog-installed')).toHaveText('Installed');
  await expect(copy).toContainText('Story Helper is already installed (same file).');
  await expect(copy.getByRole('button')).toHaveCount(0);
});

test('a catalog download that cannot start says why on the card that was clicked, and its button tries again', async ({
  page,
}) => {
  await page.goto(`${host.url}/#/models`);
  const lighthouse = card(page, 'Lighthouse Writer');
  await lighthouse.scrollIntoViewIfNeeded();
  await lighthouse.getByRole('button', { name: 'Download Lighthouse Writer' }).click();
  // The writer is looking at this card, far below the top of the catalog: the reason is on it, in view.
  const why = lighthouse.getByRole('alert');
  await expect(why).toContainText('had a problem on its side and could not send the file (HTTP 503)');
  await expect(why).toBeInViewport();
  await page.screenshot({ path: 'e2e/screenshots/catalog-download-cannot-start.png' });
  // Said once, on the card: not again above the catalog.
  await expect(page.getByText('could not send the file (HTTP 503)')).toHaveCount(1);

  files.setFaults('/lighthouse.gguf', undefined);
  await lighthouse.getByRole('button', { name: 'Download Lighthouse Writer' }).click();
  await expect(lighthouse.getByTestId('catalog-installed')).toHaveText('Installed', { timeout: 60_000 });
  await expect(lighthouse.getByRole('alert')).toHaveCount(0);
});
