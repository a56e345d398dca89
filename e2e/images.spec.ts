// Images with a passage: a writer attaches a map and a sketch, sees thumbnails and the quote move to a model that can
// see images (the text-only pick passed over, with why), removes one, runs, and the loopback provider receives the
// image intact; a file that is not an image is refused in plain words, and with no model that sees images ready the
// Workbench says which key to add.
import { createHash } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { startFakeLlmServer, type FakeLlmServer } from '../test/support/fake-llm-server';
import { pngImage } from '../test/support/images';
import { startHost, type RunningHost } from './support/host';

let host: RunningHost;
let fake: FakeLlmServer;

const MAP = pngImage(640, 480, [30, 80, 150], [220, 200, 130]);
const SKETCH = pngImage(300, 400, [150, 40, 60], [240, 220, 200]);
const PASSAGE =
  'Mara crossed the harbour to the lighthouse on the northern point, where the map said the cliffs fell away.';

test.use({ viewport: { width: 1280, height: 1300 } });
test.beforeEach(async () => {
  fake = await startFakeLlmServer({ port: 0 });
  host = await startHost({
    env: { OPENAI_API_KEY: 'sk-e2e-openai-0001', DEEPSEEK_API_KEY: 'sk-e2e-deepseek-0002' },
  });
  await host.call('providers:save', { id: 'openai', base_url: fake.openaiBaseUrl, builtin: true });
  await host.call('providers:save', { id: 'deepseek', base_url: fake.openaiBaseUrl, builtin: true });
  await host.call('settings:set', { orchestrator: { enabled: true, quality_tier: 'budget' } });
});
test.afterEach(async () => {
  await host.stop();
  await fake.close();
});

test('attach images, see them priced on a model that sees them, remove one, run', async ({ page }) => {
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('scene_draft');
  // Text alone: the budget pick is DeepSeek.
  await expect(page.getByTestId('decision-model')).toHaveText(/DeepSeek/);

  await page.getByTestId('image-input').setInputFiles([
    { name: 'harbour-map.png', mimeType: 'image/png', buffer: MAP },
    { name: 'mara.png', mimeType: 'image/png', buffer: SKETCH },
  ]);
  await expect(page.getByRole('img', { name: 'harbour-map.png' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'mara.png' })).toBeVisible();
  await expect(page.getByTestId('image-count')).toHaveText('2 images');
  // The quote moves to a model that can see images, and counts them.
  await expect(page.getByTestId('decision-model')).not.toHaveText(/DeepSeek/);
  await expect(page.getByTestId('image-attach')).toContainText(/counted as about [\d,.]+k? tokens by GPT/);
  await page.getByText(/All \d+ models considered/).click();
  await expect(page.getByTestId('decision').locator('li', { hasText: /DeepSeek V3\.2(?! \(via)/ })).toContainText(
    'cannot see images',
  );
  // Tournament members read text only: with images attached, a run is one model.
  await expect(page.getByRole('button', { name: 'Run as tournament' })).toBeDisabled();
  await page.screenshot({ path: 'e2e/screenshots/images-attached.png' });

  await page.getByRole('button', { name: 'Remove mara.png' }).press('Enter');
  await expect(page.getByTestId('image-count')).toHaveText('1 image');
  // Its button went with it: the next image's Remove takes the focus, not the page.
  await expect(page.locator('[data-testid="image-attach"] button.remove')).toBeFocused();
  await expect(page.getByRole('img', { name: 'mara.png' })).toHaveCount(0);

  const chosen = (await page.getByTestId('decision-model').textContent())!;
  fake.script('gpt-4o-mini', { text: 'The lighthouse leans over the cliff.' });
  for (const id of ['gpt-5.4-nano', 'gpt-5.4-mini', 'gpt-4o', 'gpt-5.5'])
    fake.script(id, { text: 'The lighthouse leans over the cliff.' });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByText('The lighthouse leans over the cliff.').first()).toBeVisible();
  const sent = fake.requests.filter((r) => r.images.length > 0);
  expect(sent).toHaveLength(1);
  expect(sent[0]!.images.map((i) => i.sha256)).toEqual([createHash('sha256').update(MAP).digest('hex')]);
  expect(fake.requests.some((r) => r.model === 'deepseek-chat')).toBe(false);
  expect(chosen).not.toMatch(/DeepSeek/);
  await page.screenshot({ path: 'e2e/screenshots/images-run.png', fullPage: true });
});

test('a file that is not an image is refused; with only a text model ready, the Workbench says which key to add', async ({
  page,
}) => {
  // This host has a DeepSeek key only: no model that sees images is ready.
  await host.stop();
  host = await startHost({ env: { DEEPSEEK_API_KEY: 'sk-e2e-deepseek-0002' } });
  await host.call('providers:save', { id: 'deepseek', base_url: fake.openaiBaseUrl, builtin: true });
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('scene_draft');
  await page.getByTestId('image-input').setInputFiles([
    { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('Chapter notes, not a picture.') },
    { name: 'harbour-map.png', mimeType: 'image/png', buffer: MAP },
  ]);
  await expect(page.getByTestId('image-attach').getByRole('alert')).toHaveText(
    '"notes.png" is not a PNG, JPEG, WebP or GIF image.',
  );
  await expect(page.getByTestId('image-count')).toHaveText('1 image');
  const decision = page.getByTestId('decision');
  await expect(decision).toContainText('No model that can see images is ready');
  await expect(decision).toContainText('Your images need a model that can see them');
  await expect(decision).toContainText(/Add an? .*OpenAI.* key in Settings → AI Intelligence/);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
  await page.screenshot({ path: 'e2e/screenshots/images-refused.png' });
  expect(fake.requests).toEqual([]);
});
