// What a model writes is shown inside the Result card however it is written: a finding, its quote and suggestion, an
// edit and a chapter summary made of one long unbroken string (a path, a link, a model's garbled output) wrap at the
// card's edge instead of running out of it into the History column beside it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import type { FakeLlmServer } from '../test/support/fake-llm-server';
import { addFakeWriter, expect, test } from './support/fake-host';
import type { RunningHost } from './support/host';
import { decisionSettled, openFromHistory } from './support/workbench';

/** The theme's --muted (light): a note, not the --danger of a failure. */
const MUTED = 'rgb(107, 102, 94)';

test.use({ viewport: { width: 1280, height: 1200 } });
// A host per test and three runs; on a loaded 2-core machine that can take most of a minute.
test.describe.configure({ timeout: 150_000 });

const LONG = `https://example.com/${'harbour'.repeat(40)}`;
const PASSAGE = `# Chapter 1\n\nMara walked to ${LONG} before the rain came.\n\n# Chapter 2\n\nTobias waited at the pier.`;

/** The Workbench with `passage` on screen and the fake writer picked (priced $0.1/$0.2 per million tokens). */
async function openOnFakeWriter(page: Page, host: RunningHost, fake: FakeLlmServer, passage: string): Promise<Locator> {
  await addFakeWriter(host, fake, { input: 0.1, output: 0.2 });
  await page.goto(`${host.url}/#/workbench`);
  const box = page.getByRole('textbox', { name: /Passage/ });
  await box.fill(passage);
  await page.getByLabel('Model', { exact: true }).selectOption('fake/writer');
  return box;
}

/** Runs `task` on the fake writer. */
async function runTask(page: Page, task: string): Promise<void> {
  await page.getByLabel('Task', { exact: true }).selectOption({ label: task });
  await decisionSettled(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

/** A line edit of a short passage proposing two edits, the second of which the writer rejects. */
async function lineEditRejectingTheSecond(
  page: Page,
  host: RunningHost,
  fake: FakeLlmServer,
): Promise<{ box: Locator; edits: Locator }> {
  const box = await openOnFakeWriter(
    page,
    host,
    fake,
    '# Chapter 1\n\nThe harbour was quiet. Tobias very slowly walked to the pier.',
  );
  fake.script('writer', {
    json: {
      edits: [
        { original: 'The harbour was quiet.', revised: 'The harbour lay quiet.', reason: 'A stronger verb.' },
        { original: 'very slowly walked', revised: 'trudged', reason: 'Cut the adverb.' },
      ],
    },
  });
  await runTask(page, 'Line edit');
  const edits = page.getByTestId('edit');
  await expect(edits).toHaveCount(2, { timeout: 60_000 });
  await edits.nth(1).getByRole('checkbox', { name: 'Accept' }).uncheck();
  return { box, edits };
}

/** No text in the Result card reaches past its right edge, and the page does not scroll sideways. */
async function staysInTheCard(page: Page): Promise<void> {
  const card = page.getByTestId('run-answer').locator('xpath=ancestor::div[contains(@class, "output")]').first();
  const past = await card.evaluate((root) => {
    const edge = root.getBoundingClientRect().right;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const out: string[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      if (range.getBoundingClientRect().right > edge + 0.5) out.push((node.textContent ?? '').slice(0, 40));
    }
    return out;
  });
  expect(past).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
}

test('a finding, an edit and a summary of long unbroken text wrap inside the Result card', async ({
  page,
  host,
  fake,
}) => {
  await openOnFakeWriter(page, host, fake, PASSAGE);

  fake.script('writer', {
    json: {
      findings: [
        {
          claim: `The address changes: ${LONG}`,
          evidence: [{ quote: LONG, location: 'Chapter 1' }],
          severity: 'high',
          suggestion: `Use ${LONG} in both chapters.`,
        },
      ],
    },
  });
  await runTask(page, 'Continuity check');
  await expect(page.getByTestId('finding')).toContainText('The address changes', { timeout: 60_000 });
  await staysInTheCard(page);
  await page.screenshot({ path: 'e2e/screenshots/result-long-finding.png', fullPage: true });

  fake.script('writer', {
    json: { edits: [{ original: LONG, revised: `${LONG}/pier`, reason: `The pier is at ${LONG}/pier.` }] },
  });
  await runTask(page, 'Line edit');
  await expect(page.getByTestId('edit')).toHaveCount(1, { timeout: 60_000 });
  await staysInTheCard(page);
  await page.getByTestId('run-answer').screenshot({ path: 'e2e/screenshots/result-long-edit.png' });

  fake.script('writer', { json: { chapters: [{ chapter: 'Chapter 1', summary: `Mara walks to ${LONG}.` }] } });
  await runTask(page, 'Chapter summary');
  await expect(page.getByTestId('run-answer')).toContainText('Mara walks to', { timeout: 60_000 });
  await staysInTheCard(page);
  await page.getByTestId('run-answer').screenshot({ path: 'e2e/screenshots/result-long-summary.png' });
});

test('the edits a writer rejected stay rejected after another run is opened and after a reload', async ({
  page,
  host,
  fake,
}) => {
  const { edits } = await lineEditRejectingTheSecond(page, host, fake);
  const copy = page.getByRole('button', { name: /Copy the edited text/ });
  await expect(copy).toHaveText('Copy the edited text (1 edit)');

  // Another run on screen, then the line edit again from the history: the writer's "no" is still there (it came
  // back accepted, and "Copy the edited text" put the rejected edit into the text).
  fake.script('writer', { json: { chapters: [{ chapter: 'Chapter 1', summary: 'Tobias walks to the pier.' }] } });
  await runTask(page, 'Chapter summary');
  await expect(page.getByTestId('run-answer')).toContainText('Tobias walks', { timeout: 60_000 });
  const lineEdit = page.getByTestId('run-history').getByRole('button', { name: /Line edit/ });
  await lineEdit.click();
  await expect(edits).toHaveCount(2);
  await expect(edits.nth(0).getByRole('checkbox', { name: 'Accept' })).toBeChecked();
  await expect(edits.nth(1).getByRole('checkbox', { name: 'Accept' })).not.toBeChecked();
  await expect(copy).toHaveText('Copy the edited text (1 edit)');

  await page.reload();
  await lineEdit.click();
  await expect(edits).toHaveCount(2);
  await expect(edits.nth(1).getByRole('checkbox', { name: 'Accept' })).not.toBeChecked();
  await expect(copy).toHaveText('Copy the edited text (1 edit)');
});

test('“Copy the edited text” of a line edit opened from the History edits that run’s passage, not the one on screen now', async ({
  page,
  context,
  host,
  fake,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.url });
  const { box } = await lineEditRejectingTheSecond(page, host, fake);

  // Weeks later: another chapter on screen, the old line edit opened from the History.
  await box.fill('# Chapter 9\n\nThe lighthouse keeper counted the ships.');
  fake.script('writer', { text: 'A storm.' });
  await runTask(page, 'Scene draft');
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await openFromHistory(page, /Line edit/);
  const copy = page.getByRole('button', { name: /Copy the edited text/ });
  // It counted only the edits whose words were in the text on screen: none, so it could not copy at all.
  await expect(copy).toHaveText('Copy the edited text (1 edit)');
  await copy.click();
  await expect(page.getByRole('status').filter({ hasText: 'Copied' })).toHaveText(
    'Copied: the passage this run was given, with 1 edit.',
  );
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
    '# Chapter 1\n\nThe harbour lay quiet. Tobias very slowly walked to the pier.',
  );
  await copy.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/copy-edited-from-history.png' });
});

test('a quote whose place in the text has changed since its run is shown where it is now, never at other words', async ({
  page,
  host,
  fake,
}) => {
  const passage =
    '# Chapter 1\n\nMara had green eyes.\n\n# Chapter 2\n\nYears later, Tobias remembered her brown eyes.';
  const box = await openOnFakeWriter(page, host, fake, passage);
  fake.script('writer', {
    json: {
      findings: [
        {
          claim: 'Her eyes change colour.',
          // A copy in other letter case is found tolerantly, and is still there as long as the text is.
          evidence: [
            { quote: 'Mara had GREEN eyes.', location: 'Chapter 1' },
            { quote: 'her brown eyes', location: 'Chapter 2' },
          ],
          severity: 'high',
          suggestion: null,
        },
      ],
    },
  });
  await runTask(page, 'Continuity check');
  const where = page.getByTestId('finding').getByTestId('quote-location');
  await expect(where).toHaveText(['Chapter 1, paragraph 1', 'Chapter 2, paragraph 1'], { timeout: 60_000 });
  const selected = () => box.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
  await where.nth(1).click();
  expect(await selected()).toBe('her brown eyes');
  await where.nth(0).click();
  expect(await selected()).toBe('Mara had green eyes.');

  // The writer adds a line above: the run's places are now other words. Clicking one selected "ter 1\n\nMara ha"
  // as if it were the quote; then it said "(your text has changed here since this run)" and showed nothing, for every
  // finding below the edit. The quote is shown where it is now.
  await box.fill(`A new first line.\n\n${passage}`);
  await expect(where).toHaveText([
    'Chapter 1, paragraph 1 (moved since this run)',
    'Chapter 2, paragraph 1 (moved since this run)',
  ]);
  await where.nth(1).click();
  expect(await selected()).toBe('her brown eyes');

  // Its words changed: the place is said, and nothing is selected.
  await box.fill(`A new first line.\n\n${passage.replace('brown', 'grey')}`);
  await expect(where.nth(1)).toHaveText('Chapter 2, paragraph 1 (your text has changed here since this run)');
  await expect(page.getByTestId('finding').getByRole('button', { name: /Chapter 2/ })).toHaveCount(0);

  // The text as it was: the places are the quotes again.
  await box.fill(passage);
  await where.nth(1).click();
  expect(await selected()).toBe('her brown eyes');
});

test('Copy works where the page has no clipboard, and where nothing can copy the text is shown to copy by hand', async ({
  page,
  host,
  fake,
}) => {
  // Not a secure context: no navigator.clipboard. The older copy command copies the hidden box Quire fills (recorded
  // here), or refuses when `copyWorks` is off.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
    const w = window as unknown as { copied: string[]; copyWorks: boolean };
    w.copied = [];
    w.copyWorks = true;
    document.execCommand = (command: string) => {
      const box = document.querySelector('textarea[aria-hidden="true"]');
      if (command !== 'copy' || !w.copyWorks || !(box instanceof HTMLTextAreaElement)) return false;
      w.copied.push(box.value.slice(box.selectionStart, box.selectionEnd));
      return true;
    };
  });
  const passage = '# Chapter 1\n\nThe harbour was quiet. Tobias very slowly walked to the pier.';
  await openOnFakeWriter(page, host, fake, passage);
  fake.script('writer', {
    json: { edits: [{ original: 'very slowly walked', revised: 'trudged', reason: 'Cut the adverb.' }] },
  });
  await runTask(page, 'Line edit');
  await expect(page.getByTestId('edit')).toHaveCount(1, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Copy the edited text (1 edit)' }).click();
  await expect(page.getByTestId('copy-status')).toHaveText('Copied: the passage this run was given, with 1 edit.');
  expect(await page.evaluate(() => (window as unknown as { copied: string[] }).copied)).toEqual([
    '# Chapter 1\n\nThe harbour was quiet. Tobias trudged to the pier.',
  ]);

  fake.script('writer', { text: 'The storm took the boats.' });
  await runTask(page, 'Scene draft');
  await expect(page.getByTestId('run-output')).toHaveText('The storm took the boats.', { timeout: 60_000 });
  await page.evaluate(() => ((window as unknown as { copyWorks: boolean }).copyWorks = false));
  await page.getByRole('button', { name: 'Copy the text' }).click();
  // Never "Copied." when it was not: the text is selected for the writer to copy.
  await expect(page.getByTestId('copy-status')).toHaveText(/could not put it on the clipboard.*copy it with ⌘C/);
  const byHand = page.getByTestId('copy-by-hand');
  await expect(byHand).toHaveValue('The storm took the boats.');
  await expect(byHand).toBeFocused();
  await page.screenshot({ path: 'e2e/screenshots/copy-by-hand.png' });
});

test('a scene draft whose connection breaks mid-answer keeps the words that arrived, says it was cut off and its cost', async ({
  page,
  host,
  fake,
}) => {
  await openOnFakeWriter(page, host, fake, 'The harbour the morning after the storm.');
  // Three words of the draft, then the provider drops the connection.
  fake.script('writer', { text: 'The storm took the boats.', alwaysFault: { kind: 'reset', afterTokens: 3 } });
  await runTask(page, 'Scene draft');
  await expect(page.getByTestId('run-status')).toHaveText(/failed/i, { timeout: 60_000 });
  await expect(page.getByTestId('run-output')).toHaveText('The storm took');
  await expect(page.getByTestId('run-cut-off')).toHaveText(
    /^Fake Writer’s answer was cut off before it finished: .* The words that arrived are kept below\. This run cost \$[\d.]+ — /,
  );
  // Not taken for an answer Quire could not read, and no model called "None available".
  await expect(page.getByTestId('run-unused')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Copy the text' })).toBeVisible();
  // The History row says the words were kept, not "failed" alone.
  await expect(page.getByTestId('run-history').getByRole('button', { name: /Scene draft/ })).toContainText(
    'failed · its words are kept',
  );
  const runs = await host.call<{ runs: { cost_usd: number }[] }>('runs:list');
  const cost = runs.value!.runs[0]!.cost_usd;
  expect(cost).toBeGreaterThan(0);
  await expect(page.getByTestId('run-cut-off')).toContainText(`This run cost $${cost.toFixed(4)}`);
  await expect(page.getByTestId('run-cost')).toHaveText(`$${cost.toFixed(4)}`);

  // Reopened after a reload, the words are still there: they were kept with the run.
  await page.reload();
  await openFromHistory(page, /Scene draft/);
  await expect(page.getByTestId('run-output')).toHaveText('The storm took');
  await expect(page.getByTestId('run-cut-off')).toContainText('cut off before it finished');
});

test('a scene draft stopped part-way keeps its words and exports them as a report, marked as stopped', async ({
  page,
  host,
  fake,
}) => {
  await openOnFakeWriter(page, host, fake, 'The harbour the morning after the storm.');
  // Two words of the draft, then nothing more until the writer stops it.
  fake.script('writer', { text: 'The storm took the boats.', alwaysFault: { kind: 'stall', afterTokens: 2 } });
  await runTask(page, 'Scene draft');
  await expect(page.getByTestId('run-output')).toContainText('The storm', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/cancel|stopped/i, { timeout: 30_000 });
  await expect(page.getByTestId('run-output')).toContainText('The storm');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export the report (Markdown)' }).click();
  const file = await download;
  const markdown = Buffer.concat((await (await file.createReadStream()).toArray()) as Buffer[]).toString('utf8');
  expect(markdown).toMatch(/^# Scene draft\n/);
  expect(markdown).toMatch(/- Status: .*stopped/i);
  expect(markdown).toContain('The storm');
});

test('before a passage, the card above Run says its figures are for a typical run of the task, not for the empty box', async ({
  page,
  host,
  fake,
}) => {
  await addFakeWriter(host, fake, { input: 0.1, output: 0.2 });
  await page.goto(`${host.url}/#/workbench`);
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Continuity check' });
  await page.getByLabel('Model', { exact: true }).selectOption('fake/writer');
  await decisionSettled(page);
  // It read "About 12,000 tokens in, up to 1,000 out" beside an empty passage box.
  await expect(page.getByTestId('decision-tokens')).toHaveText(
    /^For a typical Continuity check: about [\d,]+ tokens in, up to [\d,]+ out\. Paste or open your passage for its own\.$/,
  );
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await decisionSettled(page);
  await expect(page.getByTestId('decision-tokens')).toHaveText(/^About [\d,]+ tokens in, up to [\d,]+ out$/);
});

test('a continuity check shows its findings as they arrive and when stopped, never the JSON they come in', async ({
  page,
  context,
  host,
  fake,
}) => {
  await openOnFakeWriter(page, host, fake, PASSAGE);
  const answer = {
    findings: [
      {
        claim: 'Tobias waits at the pier, then is not there.',
        evidence: [{ quote: 'Tobias waited at the pier.', location: null }],
        severity: 'high',
        suggestion: null,
      },
      { claim: 'The rain never comes.', evidence: [], severity: 'low', suggestion: null },
    ],
  };
  // The first finding whole and the second begun, then nothing more until the writer stops it.
  fake.script('writer', { json: answer, alwaysFault: { kind: 'stall', afterTokens: 14 } });
  await runTask(page, 'Continuity check');
  await expect(page.getByTestId('run-live-answer')).toHaveText('1 finding so far:', { timeout: 60_000 });
  await expect(page.getByTestId('run-live-item')).toHaveText(['Tobias waits at the pier, then is not there.']);
  // The JSON is there for whoever wants it, folded away.
  await expect(page.getByTestId('run-output')).toBeHidden();
  // A second window that opens the run from its History reads the same: the finding so far, not the JSON.
  const other = await context.newPage();
  await other.goto(`${host.url}/#/workbench`);
  await openFromHistory(other, /Continuity check/);
  await expect(other.getByTestId('run-following')).toBeVisible();
  await expect(other.getByTestId('run-live-answer')).toHaveText('1 finding so far:');
  await expect(other.getByTestId('run-live-item')).toHaveText(['Tobias waits at the pier, then is not there.']);
  await expect(other.getByTestId('run-output')).toBeHidden();
  await other.close();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('stopped', { timeout: 30_000 });
  await expect(page.getByTestId('run-stopped-answer')).toHaveText(
    'Stopped before the answer was complete: 1 finding had arrived whole.',
  );
  // What the stop came to, beside tokens the provider never reported.
  await expect(page.getByTestId('run-stop-cost')).toContainText('Stop kept what had arrived and charged $0.0');
  // Told as information (the muted colour of notes), not in the red of a failure: the writer stopped it.
  await expect(page.getByTestId('run-stop-cost')).toHaveCSS('color', MUTED);
  await expect(page.getByTestId('run-live-item')).toHaveText(['Tobias waits at the pier, then is not there.']);
  await expect(page.getByTestId('run-output')).toBeHidden();
  await page.getByText('The model’s answer as it arrived').click();
  await expect(page.getByTestId('run-output')).toContainText('{"findings":[{"claim":"Tobias waits');
});

test('a run reopened from the history says what the writer asked, a long request folded inside the card', async ({
  page,
  host,
  fake,
}) => {
  await openOnFakeWriter(page, host, fake, 'The lighthouse stood on the point.');
  fake.script('writer', { text: 'The lamp turned over the water.' });
  const request = `Mara climbs to the lamp room at night. ${'She counts the steps and thinks of Tobias. '.repeat(40)}End there.`;
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Scene draft' });
  await page.getByLabel('Anything it should focus on? (optional)').fill(request);
  await decisionSettled(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });

  await page.reload();
  await page.getByTestId('run-history').getByRole('button').first().click();
  const asked = page.getByTestId('run-request');
  await expect(asked.locator('summary')).toHaveText(/^You asked: “Mara climbs to the lamp room at night\. She counts/);
  await expect(asked.locator('.asked')).toBeHidden();
  await asked.locator('summary').click();
  await expect(asked.locator('.asked')).toHaveText(request);
  const card = await page.getByTestId('run-output').locator('xpath=ancestor::div[contains(@class, "output")]').first();
  const [cardBox, askedBox] = [await card.boundingBox(), await asked.boundingBox()];
  expect(askedBox!.x + askedBox!.width).toBeLessThanOrEqual(cardBox!.x + cardBox!.width + 0.5);
  await page.getByTestId('run-request').screenshot({ path: 'e2e/screenshots/run-request.png' });
});

test('a run on a manuscript reopened in a new window opens that manuscript and shows its quotes in it', async ({
  page,
  host,
  fake,
}) => {
  const text = '# Chapter 1\n\nMara had green eyes.\n\n# Chapter 2\n\nYears later, Tobias remembered her brown eyes.';
  const file = join(mkdtempSync(join(tmpdir(), 'quire-e2e-book-')), 'The Lighthouse Keeper.md');
  writeFileSync(file, text);
  expect((await host.call('manuscripts:open', { path: file })).ok).toBe(true);
  const box = await openOnFakeWriter(page, host, fake, '');
  await page.getByText('A whole manuscript').click();
  await page.getByTestId('manuscript-list').getByRole('button', { name: 'Work on this' }).click();
  await expect(box).toHaveValue(text);
  fake.script('writer', {
    json: {
      findings: [
        {
          claim: 'Her eyes change colour.',
          evidence: [{ quote: 'her brown eyes', location: 'Chapter 2' }],
          severity: 'high',
          suggestion: null,
        },
      ],
    },
  });
  await runTask(page, 'Continuity check');
  await expect(page.getByTestId('finding').getByTestId('quote-location')).toHaveText('Chapter 2, paragraph 1', {
    timeout: 60_000,
  });

  // A new window: nothing on screen, the run reopened from the History.
  const later = await page.context().browser()!.newPage();
  await later.goto(`${host.url}/#/workbench`);
  await openFromHistory(later, /Continuity check/);
  const notice = later.getByTestId('run-manuscript');
  await expect(notice).toContainText('This run was on “The Lighthouse Keeper”, which is not the text on screen.');
  // Its place is said, and nothing offers to select other words.
  await expect(later.getByTestId('finding').getByTestId('quote-location')).toHaveText('Chapter 2, paragraph 1');
  await expect(later.getByTestId('finding').getByRole('button', { name: /Chapter 2/ })).toHaveCount(0);
  await notice.getByRole('button', { name: 'Open “The Lighthouse Keeper”' }).click();
  await expect(notice).toHaveCount(0);
  const laterBox = later.getByRole('textbox', { name: /Passage/ });
  await expect(laterBox).toHaveValue(text);
  await later.getByTestId('finding').getByRole('button', { name: 'Chapter 2, paragraph 1' }).click();
  expect(await laterBox.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd))).toBe(
    'her brown eyes',
  );
  await later.close();
});
