// Workbench: a passage run on the local fixture model, with the decision and quote shown first, the answer streamed,
// its actual cost and latency, a rating that is stored, and the run reopened from the history.
import { expect, test } from '@playwright/test';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import { startFakeLlmServer } from '../test/support/fake-llm-server';
import { startHost, type RunningHost } from './support/host';
import { decisionSettled } from './support/workbench';

/** The theme's --warn (light): a warning about an answer, not the --danger of a failure. */
const WARN = 'rgb(161, 92, 0)';

let host: RunningHost;

test.use({ viewport: { width: 1280, height: 1200 } });
test.beforeEach(async () => {
  host = await startHost();
});
test.afterEach(async () => host.stop());

const CHAPTER = '# One\n\nThe tide went out and did not come back. Mara counted the boats twice.\n';

test('a task runs on the local fixture with streamed output, then is rated and reopened', async ({ page }) => {
  test.setTimeout(150_000);
  // Count the streamed deltas the page receives over the event stream.
  await page.addInitScript(() => {
    const original = window.EventSource;
    (window as unknown as { tokenEvents: number }).tokenEvents = 0;
    window.EventSource = class extends original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('message', (event) => {
          if ((event as MessageEvent<string>).data.includes('"run:token"'))
            (window as unknown as { tokenEvents: number }).tokenEvents += 1;
        });
      }
    } as typeof EventSource;
  });

  // Import the generated GGUF through the Models screen, as a writer with a file on disk would.
  await page.goto(`${host.url}/#/models`);
  // The shipped task instructions are ~2,000 of the fixture's byte-level tokens: a context that holds them and the answer.
  await page.getByLabel('Path to the file on this Mac').fill(tinyLlamaFixture({ contextLength: 8192 }));
  await page.getByLabel('Name (optional)').nth(1).fill('Story fixture');
  await page.getByRole('button', { name: 'Import', exact: true }).press('Enter');
  await expect(page.getByTestId('models-notice')).toContainText('Story fixture was imported');
  // The keyboard's place is kept while it imports (the button is never disabled under the focus).
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeFocused();
  await expect(page.getByTestId('installed-Story fixture')).toBeVisible();
  const installed = await host.call<{ name: string; registry_model_id: string }[]>('models:installed');
  const modelId = installed.value!.find((model) => model.name === 'Story fixture')!.registry_model_id;

  await page.goto(`${host.url}/#/workbench`);
  await page.getByLabel('Open a .txt or .md file…').setInputFiles({
    name: 'chapter-one.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from(CHAPTER),
  });
  await expect(page.getByText('Passage — chapter-one.md')).toBeVisible();
  await expect(page.getByRole('textbox', { name: /Passage/ })).toHaveValue(/Mara counted the boats twice/);
  // A prose task: this journey is about a local model streaming, rating and reopening (random weights write no ideas).
  await page.getByLabel('Task', { exact: true }).selectOption('scene_draft');
  await page.getByLabel('Model', { exact: true }).selectOption(modelId);
  await page.getByLabel('Answer length', { exact: true }).selectOption('short');
  await expect(page.getByTestId('decision-model')).toHaveText('Story fixture');
  await expect(page.getByTestId('decision')).toContainText('The model you picked');
  await expect(page.getByTestId('decision-quote')).toHaveText('$0.00');
  await expect(page.getByTestId('decision-why')).not.toBeEmpty();
  await expect(page.getByTestId('decision')).toContainText('up to 200 out');
  // Tokens in as the run sends them: the task's instruction with the passage (the passage alone is ~50).
  const quote = await host.call<{ decision: { input_tokens: number } }>('runs:quote', {
    task: 'scene_draft',
    input: CHAPTER,
    model: modelId,
    max_output_tokens: 200,
  });
  expect(quote.value!.decision.input_tokens).toBeGreaterThan(200);
  await expect(page.getByTestId('decision-tokens')).toContainText(
    `About ${quote.value!.decision.input_tokens.toLocaleString('en-US')} tokens in`,
  );

  // From the keyboard: Run keeps the focus while it is busy and after (it was dropped to the page).
  await page.getByRole('button', { name: 'Run', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Running…' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Running…' })).toBeFocused();
  // Two shared cores: even the tiny model takes a while to load and write 200 tokens.
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 80_000 });
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeFocused();
  await expect(page.getByTestId('run-output')).not.toBeEmpty();
  expect(await page.evaluate(() => (window as unknown as { tokenEvents: number }).tokenEvents)).toBeGreaterThan(1);
  await expect(page.getByTestId('run-model')).toHaveText('Story fixture');
  await expect(page.getByTestId('run-cost')).toHaveText('$0.00');
  await expect(page.getByTestId('run-latency')).toHaveText(/\d+(\.\d)? m?s/);

  // Rated from the keyboard: the star keeps the focus while the rating is saved, so the arrow keys go on working.
  await page.getByRole('radio', { name: '3 of 5' }).focus();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('rating-status')).toHaveText('Rated 3 of 5 — thank you.');
  await expect(page.getByRole('radio', { name: '3 of 5' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('rating-status')).toHaveText('Rated 4 of 5 — thank you.');
  await expect(page.getByRole('radio', { name: '4 of 5' })).toBeFocused();
  const runs = await host.call<{ runs: { run_id: string; rating: number | null }[] }>('runs:list');
  expect(runs.value?.runs).toHaveLength(1);
  expect(runs.value?.runs[0]?.rating).toBe(8);

  await expect(page.getByTestId('run-history')).toContainText('Scene draft');
  await expect(page.getByTestId('run-history')).toContainText('★4');
  await page.screenshot({ path: 'e2e/screenshots/workbench-run.png' });

  // Reopen after a reload: the output, cost and rating come back from the history.
  await page.reload();
  await page.getByTestId('run-history').getByRole('button').first().click();
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(page.getByTestId('run-output')).not.toBeEmpty();
  await expect(page.getByTestId('rating-status')).toHaveText('Rated 4 of 5 — thank you.');
});

test('a continuity check on the local fixture with a short answer length has room for a finding', async ({ page }) => {
  test.setTimeout(240_000);
  // A 16K context holds the check's instruction, the passage and far more than the answer: only the writer's "Short"
  // (200 tokens) held it to no finding at all, and the run said the context had no room and "No findings.".
  // A vocabulary with word pieces, as every real model's has: its answer is counted as realistically as the passage
  // (one token a byte, the default fixture's, is no real model's). Greedy, so the random weights answer the same.
  const imported = await host.call<{ registry_model_id: string }>('models:import', {
    path: tinyLlamaFixture({ seed: 3, contextLength: 16_384, vocabulary: { kind: 'bpe', learned: 800 } }),
    name: 'Story fixture',
  });
  expect(imported.ok).toBe(true);
  await page.goto(`${host.url}/#/workbench`);
  await page
    .getByRole('textbox', { name: /Passage/ })
    .fill('# One\n\nMara had green eyes.\n\n# Two\n\nYears later, Tobias remembered her brown eyes.\n');
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await page.getByLabel('Model', { exact: true }).selectOption(imported.value!.registry_model_id);
  await page.getByLabel('Answer length', { exact: true }).selectOption('short');
  await expect(page.getByTestId('decision-model')).toHaveText('Story fixture');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 220_000 });
  // Its answer was given room for one finding (free), and the writer is told why and what gives more; its strings are
  // as long as the grammar lets them be.
  await expect(page.getByTestId('run-answer-notice')).toHaveText([
    'The answer length you chose has no room for a finding, so this model was given room for one (its answer costs ' +
      'nothing). Pick a longer answer length for more.',
    'Some findings reached the length this model can write for one and may be cut short.',
  ]);
  // Warnings about the answer, in the theme's --warn: the run did not fail.
  for (const notice of await page.getByTestId('run-answer-notice').all()) await expect(notice).toHaveCSS('color', WARN);
  await expect(page.getByTestId('run-cost')).toHaveText('$0.00');
  // Random weights: the mechanics, not the prose. The finding these seeded weights give is shown, its quote (words
  // of no language) marked as not found in the text.
  const finding = page.getByTestId('finding');
  await expect(finding).toHaveCount(1);
  await expect(finding.getByTestId('quote-location')).toHaveText('not found in your text');
  await expect(page.getByText('No findings.')).toHaveCount(0);
});

test('a local model with a small context is told apart from one that cannot do the task', async ({ page }) => {
  // The fixture's 2,048-token context holds a brainstorm's instruction and the passage, but not the 2,000-token answer
  // the task allows; with a short answer it fits. A continuity check's instruction alone is more than it holds.
  await page.goto(`${host.url}/#/models`);
  await page.getByLabel('Path to the file on this Mac').fill(tinyLlamaFixture({ contextLength: 2048 }));
  await page.getByLabel('Name (optional)').nth(1).fill('Small fixture');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  // What it reads at once is on its row, as the catalog's cards say it: the number the Workbench's words rest on.
  await expect(page.getByTestId('installed-Small fixture').getByTestId('installed-meta')).toHaveText(
    'llama · 2K context · imported',
  );

  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(CHAPTER);
  await page.getByLabel('Task', { exact: true }).selectOption('brainstorm');
  // Its context is what keeps it out (not its quality or strengths, which only rank a local model lower), and the
  // words say what would fit. It was "without an ear for ideas, context window too small, below minimum quality 6",
  // and the quote then refused with "Small fixture can read 0 at once" about a two-line passage.
  const refusal = page.getByTestId('decision-refusal');
  await expect(refusal).toContainText('Context window too small: Small fixture.');
  await expect(refusal).toContainText(
    'A shorter passage, or a shorter answer than the 2,000 tokens now allowed, may fit in Small fixture (this needs',
  );
  await expect(refusal).toContainText('with its answer; it reads 2,048 at once).');
  await expect(refusal).not.toContainText('minimum quality');
  await expect(refusal).toContainText('This passage and its answer are too long for the models you can use');
  await expect(refusal).toContainText('Pick a shorter answer length');
  await page.getByLabel('Answer length', { exact: true }).selectOption('short');
  await expect(page.getByTestId('decision-model')).toHaveText('Small fixture');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();

  // No part of a split could hold the continuity check's instruction: said once, about the model, with no "Try
  // again" (asking again gives the same answer; a change of model, task or length asks by itself).
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  const error = page.getByTestId('quote-error');
  await expect(error).toContainText("its 2,048-token context cannot hold even the task's");
  await expect(error.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
});

test('on the first launch the Workbench does not flash "No model is ready yet" before the welcome arrives', async ({
  page,
}) => {
  // The settings (which say whether the welcome is done) held back until the models and tasks have arrived and shown.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/settings:get', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(host.url);
  await expect(page.getByLabel('Task', { exact: true }).locator('option').first()).toBeAttached();
  // It showed the empty state here, then swapped it for the welcome above it once the settings came.
  await expect(page.getByTestId('workbench-empty')).toHaveCount(0);
  release();
  await expect(page.getByTestId('first-run-setup')).toBeVisible();
  await expect(page.getByTestId('workbench-empty')).toHaveCount(0);
});

test('a new writer with no key and no model is told what to do first', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Workbench', exact: true })).toBeVisible();
  // The setup asks first; the Workbench does not ask the same again beside it.
  await expect(page.getByTestId('first-run-setup')).toBeVisible();
  await expect(page.getByTestId('workbench-empty')).toHaveCount(0);
  // Closed without choosing: the Workbench says what to do.
  await page.getByRole('button', { name: 'Not now' }).click();
  await expect(page.getByTestId('first-run-setup')).toHaveCount(0);
  await expect(page.getByTestId('workbench-empty')).toContainText('No model is ready yet');
  await page.screenshot({ path: 'e2e/screenshots/first-run.png' });
  await page.getByRole('button', { name: 'Download a local model' }).click();
  await expect(page.getByRole('heading', { name: 'Models', exact: true })).toBeVisible();
  await expect(page.getByTestId('models-empty')).toContainText('No local model yet');
});

test('a file opened over a pasted passage says so, and the passage can be put back, after a reload too', async ({
  page,
}) => {
  await page.goto(host.url);
  const passage = page.getByRole('textbox', { name: /Passage/ });
  await passage.fill('My pasted scene, which is nowhere else.');
  await page.getByLabel('Open a .txt or .md file…').setInputFiles({
    name: 'chapter-one.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('# One\n\nThe tide went out.\n'),
  });
  await expect(passage).toHaveValue(/The tide went out/);
  const notice = page.getByTestId('passage-replaced');
  await expect(notice).toContainText('chapter-one.md is open in place of the passage you had.');
  // A reload of the window keeps the offer: the pasted passage is nowhere else.
  await page.reload();
  await expect(passage).toHaveValue(/The tide went out/);
  await expect(notice).toContainText('chapter-one.md is open in place of the passage you had.');
  await notice.getByRole('button', { name: 'Put it back' }).click();
  await expect(passage).toHaveValue('My pasted scene, which is nowhere else.');
  await expect(notice).toHaveCount(0);
});

test('a passage file from an old Word (Windows-1252 smart quotes) is refused with the step, never shown garbled; "Unicode text" opens', async ({
  page,
}) => {
  await page.goto(host.url);
  const passage = page.getByRole('textbox', { name: /Passage/ });
  await passage.fill('My pasted scene.');
  const open = page.getByLabel('Open a .txt or .md file…');
  await open.setInputFiles({
    name: 'old-chapter.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from([0x93, ...Buffer.from('The tide'), 0x94, ...Buffer.from(' went out.')]),
  });
  await expect(page.getByRole('alert')).toContainText(
    'old-chapter.txt is not UTF-8 text. Save it as UTF-8 (in most editors: Save As → Encoding: UTF-8) and open it again.',
  );
  await expect(passage).toHaveValue('My pasted scene.');
  await open.setInputFiles({
    name: 'unicode.txt',
    mimeType: 'text/plain',
    buffer: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('“The tide went out.”\r\n', 'utf16le')]),
  });
  await expect(passage).toHaveValue('“The tide went out.”\n');
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('the passage is headed with the opened file’s name until the writer pastes another text over it', async ({
  page,
}) => {
  await page.goto(host.url);
  const passage = page.getByRole('textbox', { name: /Passage/ });
  await page.getByLabel('Open a .txt or .md file…').setInputFiles({
    name: 'chapter-one.md',
    mimeType: 'text/markdown',
    buffer: Buffer.from('# One\n\nThe tide went out.\n'),
  });
  await expect(page.getByText('Passage — chapter-one.md')).toBeVisible();
  await passage.press('End');
  await passage.pressSequentially(' Mara waited.');
  await expect(page.getByText('Passage — chapter-one.md')).toBeVisible();
  await passage.fill('A letter from the harbour master, pasted from an email.');
  await expect(page.getByText('Passage', { exact: true })).toBeVisible();
  await expect(page.getByText('Passage — chapter-one.md')).toHaveCount(0);
  await page.reload();
  await expect(passage).toHaveValue('A letter from the harbour master, pasted from an email.');
  await expect(page.getByText('Passage', { exact: true })).toBeVisible();
});

test('a pasted passage, its task and the writer’s words survive a reload of the window', async ({ page }) => {
  await page.goto(host.url);
  const passage = page.getByRole('textbox', { name: /Passage/ });
  await passage.fill('The rain had stopped by the time Mara reached the pier.');
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Brainstorm' });
  await page.locator('#request-input').fill('What could Mara find on the pier?');
  // The switch says what it does: the run goes to local models only (it keeps no passage on disk).
  await page.getByLabel('Local models only: this passage stays on this Mac').check();
  await page.reload();
  await expect(passage).toHaveValue('The rain had stopped by the time Mara reached the pier.');
  await expect(page.getByLabel('Task', { exact: true })).toHaveValue('brainstorm');
  await expect(page.locator('#request-input')).toHaveValue('What could Mara find on the pier?');
  await expect(page.getByLabel('Local models only: this passage stays on this Mac')).toBeChecked();
});

test('a suggested step no set-up model can run says nothing was sent and points to the card, not to the network', async ({
  page,
}) => {
  const fake = await startFakeLlmServer({ port: 0 });
  try {
    // A reader good at careful reading and continuity, with no ear for prose: Ask Quire runs, a line edit cannot.
    const saved = await host.call('providers:save', {
      id: 'fake',
      kind: 'openai-compatible',
      base_url: fake.openaiBaseUrl,
      models: [
        {
          id: 'reader',
          display_name: 'Careful Reader',
          quality: 9,
          strengths: ['semantic_reasoning', 'narrative_continuity'],
          input_usd_per_mtok: 1,
          output_usd_per_mtok: 2,
        },
      ],
    });
    expect(saved.ok).toBe(true);
    await host.call('settings:set', { setup: { done: true } });
    fake.script('reader', {
      json: { steps: [{ task: 'line_edit', target: 'the whole passage', why: 'It tightens the sentences.' }] },
    });

    await page.goto(`${host.url}/#/workbench`);
    await page.getByRole('textbox', { name: /Passage/ }).fill(CHAPTER);
    await page.getByLabel('Task', { exact: true }).selectOption('coordinator');
    await page.getByLabel('What do you want to know or do?').fill('Make it read better.');
    await decisionSettled(page);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('button', { name: 'Run Line edit' }).click();

    const notice = page.getByRole('alert').filter({ hasText: 'None of the models you have set up can do Line edit' });
    await expect(notice).toContainText(
      'Nothing was sent to any model. “Before you run” above says what to set up or change for this task.',
    );
    await expect(notice).not.toContainText('Check that the service is reachable');
    await expect(page.getByTestId('decision-refusal')).toContainText(
      'None of the models you have set up can do Line edit',
    );
    expect(fake.requests).toHaveLength(1);
  } finally {
    await fake.close();
  }
});
