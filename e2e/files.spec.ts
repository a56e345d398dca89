// Files like a Mac app, in the browser host (issue 16, item 4): a .gguf chosen with the file input uploads with
// progress into the models folder and is listed; a crafted one is refused with the reason; a manuscript dropped on
// the Workbench opens with its chapters counted; one opened by its path and edited elsewhere since says so when it is
// picked again or when the writer comes back to Quire, and its new version comes in with one click.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMutatedGguf } from '../test/fixtures/gguf-writer';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './support/host';

test.use({ viewport: { width: 1280, height: 1000 } });

/** A one-chapter Draft.md opened by its path in the Workbench, its passage on screen. */
async function openDraft(page: Page, hostUrl: string): Promise<{ file: string; passage: Locator }> {
  const file = join(mkdtempSync(join(tmpdir(), 'quire-draft-')), 'Draft.md');
  writeFileSync(file, '# Chapter 1\n\nMara’s eyes were brown.\n');
  await page.goto(`${hostUrl}/#/workbench`);
  await page.getByText('A whole manuscript').click();
  await page.getByLabel('File or folder on this computer').fill(file);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const passage = page.getByRole('textbox', { name: /Passage/ });
  await expect(passage).toHaveValue(/eyes were brown/);
  return { file, passage };
}

test('a .gguf chosen in the Models view uploads into the models folder; a file that is not one is refused', async ({
  page,
  host,
}) => {
  await page.goto(`${host.url}/#/models`);
  await expect(page.getByTestId('models-empty')).toBeVisible();
  const upload = page.getByTestId('model-upload');
  await expect(upload).toContainText('Drop a .gguf file here');
  await upload.screenshot({ path: 'e2e/screenshots/files-model-dropzone.png' });

  await page.getByTestId('model-upload-input').setInputFiles({
    name: 'not-a-model.gguf',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('these are my notes, not a model'),
  });
  await expect(page.getByTestId('model-upload-error')).toContainText(
    'not-a-model.gguf isn\'t a model Quire can run: it is not a GGUF model file (it does not start with "GGUF")',
  );
  // The refusal says its own next step; the general one for model errors ("Check the model file…") is not added.
  await expect(page.getByTestId('model-upload-error')).toContainText('Choose a .gguf model file.');
  await expect(page.getByTestId('model-upload-error')).not.toContainText('Check the model file');
  await expect(page.getByTestId('models-empty')).toBeVisible();

  const fixture = tinyLlamaFixture();
  await page.getByTestId('model-upload-input').setInputFiles({
    name: 'My Tiny Model.gguf',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(fixture),
  });
  // Once its bytes are in, Quire checks the file and test-loads it (up to 20 s for a real model): said as that, rather
  // than an upload stuck at 100 %, and Stop still stops it.
  await expect(upload).toContainText('Checking My Tiny Model.gguf…');
  await expect(upload.getByRole('button', { name: 'Stop' })).toBeVisible();
  await upload.screenshot({ path: 'e2e/screenshots/files-model-checking.png' });
  await expect(page.getByTestId('models-notice')).toContainText('was imported and is ready to use');
  await expect(upload).not.toContainText('Checking');
  await expect(page.getByTestId('model-upload-error')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Installed' })).toBeVisible();
  await expect(page.getByTestId('models-empty')).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/files-model-uploaded.png', fullPage: false });

  // The same file again: refused as already installed, without the general "pick another name" of other clashes.
  await page.getByTestId('model-upload-input').setInputFiles({
    name: 'Copy of my model.gguf',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(fixture),
  });
  await expect(page.getByTestId('model-upload-error')).toContainText(
    'quire-tiny-llama is already installed (same file).',
  );
  await expect(page.getByTestId('model-upload-error')).not.toContainText('Pick another name');

  const models = join(host.dataDir, 'models');
  expect(readdirSync(models).filter((name) => name.endsWith('.gguf'))).toEqual(['my-tiny-model.gguf']);
  expect(readdirSync(join(models, '.partial'))).toEqual([]);
  expect(readFileSync(join(models, 'my-tiny-model.gguf')).equals(readFileSync(fixture))).toBe(true);
});

test('a .gguf whose test load fails is listed with why it cannot be used, never said to be ready or offered to load', async ({
  page,
  host,
}) => {
  test.setTimeout(120_000);
  // Passes the header checks, but llama.cpp refuses to load it (a rotary size of 100,000 for 16-wide heads).
  const rope = writeMutatedGguf(readFileSync(tinyLlamaFixture({ seed: 5 })), join(host.dataDir, 'rope.gguf'), {
    set: { 'llama.rope.dimension_count': { type: 'u32', value: 100_000 } },
  });
  await page.goto(`${host.url}/#/models`);
  await page.getByTestId('model-upload-input').setInputFiles({
    name: 'Odd Model.gguf',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(rope),
  });
  const notice = page.getByTestId('models-notice');
  await expect(notice).toContainText("was added, but Quire can't use it:", { timeout: 90_000 });
  await expect(notice).not.toContainText('ready to use');
  // Listed under the name its file gives itself.
  const row = page.getByTestId('installed-quire-tiny-llama');
  await expect(row.getByTestId('installed-unusable')).toContainText("Can't be used:");
  await expect(row.getByRole('button', { name: /^Load/ })).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Delete quire-tiny-llama' })).toBeVisible();
  // What llama.cpp said, as a person reads it: no terminal colour codes, no logger's tag.
  await expect(row.getByTestId('installed-unusable')).toContainText(
    "Can't be used: llama.cpp could not load this file: error loading model hyperparameters: invalid n_rot: 100000",
  );
  await expect(row.getByTestId('installed-unusable')).not.toContainText('[node-llama-cpp]');
  await row.screenshot({ path: 'e2e/screenshots/files-model-unusable.png' });
});

test('a manuscript dropped on the Workbench opens with its chapters counted', async ({ page, host }) => {
  await page.goto(`${host.url}/#/workbench`);
  await page.getByText('A whole manuscript').click();
  const zone = page.getByRole('region', { name: /Drop a \.md or \.txt manuscript here/ });
  await zone.scrollIntoViewIfNeeded();
  const text = '# Chapter 1\n\nThe door was blue.\n\n# Chapter 2\n\nShe opened the red door.\n\nIt creaked.\n';
  // A real drop: a DataTransfer holding a File, dispatched on the drop zone as the browser does.
  const transfer = await page.evaluateHandle((body) => {
    const data = new DataTransfer();
    data.items.add(new File([body], 'The Lighthouse.md', { type: 'text/markdown' }));
    return data;
  }, text);
  await zone.dispatchEvent('dragover', { dataTransfer: transfer });
  await zone.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('manuscript-opened')).toContainText('Opened The Lighthouse: 2 chapters, 3 paragraphs');
  await page
    .locator('details', { has: page.getByTestId('manuscript-upload') })
    .screenshot({ path: 'e2e/screenshots/files-manuscript-opened.png' });
  const list = await host.call<{ title: string; source_path: string }[]>('manuscripts:list');
  expect(list.value).toMatchObject([{ title: 'The Lighthouse', source_path: 'The Lighthouse.md' }]);

  // The list marks it as the one on screen.
  await expect(page.getByTestId('manuscript-list')).toContainText('On screen');

  // Quire forgets its copy when asked, after saying what that means; the passage on screen stays.
  const kept = page.getByTestId('manuscript-list');
  await kept.getByRole('button', { name: 'Remove The Lighthouse' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove this manuscript from Quire?' });
  await expect(dialog).toContainText('Your file on this computer is not touched');
  // The Workbench holds more than one confirmation: each is named by its own title.
  const titles = await page.locator('dialog').evaluateAll((all) => all.map((d) => d.getAttribute('aria-labelledby')));
  expect(titles.length).toBeGreaterThan(1);
  expect(new Set(titles).size).toBe(titles.length);
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(kept).toHaveCount(0);
  expect((await host.call<unknown[]>('manuscripts:list')).value).toEqual([]);
  await expect(page.getByRole('textbox', { name: /Passage/ })).toHaveValue(text);
});

test('a manuscript on screen over a reload of the window still says when its file changes, and is marked on screen', async ({
  page,
  host,
}) => {
  const { file, passage } = await openDraft(page, host.url);

  // The window reloads (the passage is kept), then the writer saves new words in their editor and comes back.
  await page.reload();
  await expect(passage).toHaveValue(/eyes were brown/);
  await page.getByText('A whole manuscript').click();
  await expect(page.getByTestId('manuscript-list')).toContainText('On screen');
  writeFileSync(file, '# Chapter 1\n\nMara’s eyes were green.\n');
  const { atime, mtimeMs } = statSync(file);
  utimesSync(file, atime, new Date(mtimeMs + 60_000));
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  // It said nothing: after a reload Quire no longer knew the passage was that manuscript.
  await expect(page.getByTestId('manuscript-on-disk')).toContainText('“Draft.md” has changed since Quire opened it');
  await page.getByTestId('manuscript-on-disk').getByRole('button', { name: 'Open the new version' }).click();
  await expect(passage).toHaveValue(/eyes were green/);
});

test('a manuscript edited elsewhere since Quire opened it says so when picked again; its new version comes in', async ({
  page,
  host,
}) => {
  const { file, passage } = await openDraft(page, host.url);
  const notice = page.getByTestId('manuscript-on-disk');
  await expect(notice).toHaveCount(0);

  // The writer pastes something else, saves new words in their own editor, and comes back to the manuscript.
  await passage.fill('Another passage.');
  writeFileSync(file, '# Chapter 1\n\nMara’s eyes were green as the sea.\n');
  const { atime, mtimeMs } = statSync(file);
  utimesSync(file, atime, new Date(mtimeMs + 60_000));
  const kept = page.getByTestId('manuscript-list');
  await kept.getByRole('button', { name: 'Work on this' }).click();
  await expect(passage).toHaveValue(/eyes were brown/);
  await expect(notice).toContainText(
    /“Draft\.md” has changed since Quire opened it \(.+\)\. Runs use the copy Quire opened\./,
  );
  await expect(notice).not.toHaveClass(/error/);
  await page.locator('section', { has: notice }).screenshot({ path: 'e2e/screenshots/files-manuscript-changed.png' });

  await notice.getByRole('button', { name: 'Open the new version' }).click();
  await expect(passage).toHaveValue(/eyes were green as the sea/);
  await expect(notice).toHaveCount(0);
  // In place of its old copy: what can be put back is the passage the manuscript replaced, not that copy.
  await expect(page.getByTestId('passage-replaced')).toContainText('in place of the passage you had');
  // The copy opened before stays, with its date, for the runs made on it.
  await expect(kept.getByRole('listitem')).toHaveCount(2);
  await expect(kept.getByRole('listitem').nth(1)).toContainText(/opened .+/);

  // Saved again in the other editor while this version is on screen: coming back to Quire's window tells.
  writeFileSync(file, '# Chapter 1\n\nMara’s eyes were grey.\n');
  utimesSync(file, atime, new Date(mtimeMs + 120_000));
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(notice).toContainText('“Draft.md” has changed since Quire opened it');

  // Saved as something Quire cannot open: why is shown, even with the manuscript section closed.
  await page.getByText('A whole manuscript').click();
  writeFileSync(file, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x00, 0x10]));
  await notice.getByRole('button', { name: 'Open the new version' }).click();
  await expect(page.getByText('Draft.md looks like a binary file')).toBeVisible();
  await expect(passage).toHaveValue(/eyes were green as the sea/);

  // Deleted since: the copy opened before is picked again with what that means; nothing to open again.
  rmSync(file);
  await kept.getByRole('listitem').nth(1).getByRole('button', { name: 'Work on this' }).click();
  await expect(passage).toHaveValue(/eyes were brown/);
  await expect(notice).toContainText(
    'Quire can’t find “Draft.md” at its old place any more; runs use the copy Quire opened.',
  );
  await expect(notice.getByRole('button')).toHaveCount(0);
});
