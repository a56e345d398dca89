// The window reloads while a run goes on (Cmd-R, a crash of the renderer): the Workbench follows the run again — the
// words written so far, its Stop, and its answer when it ends — rather than forget it and offer a second, paid run of
// the same passage. Another window can follow a run from its History too.
import type { Page } from '@playwright/test';
import type { FakeLlmServer } from '../test/support/fake-llm-server';
import { expect, test, writerReady } from './support/fake-host';
import type { RunningHost } from './support/host';
import { decisionSettled, openFromHistory } from './support/workbench';

test('a reload mid-run follows the run again: Stop is offered, the answer shows when it ends, nothing runs twice', async ({
  page,
  host,
  fake,
}) => {
  await writerReady(host, fake);
  let release!: () => void;
  fake.script('writer', { text: 'The harbour remembers.', gate: new Promise<void>((resolve) => (release = resolve)) });
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill('The storm took the boats, and the harbour forgot them.');
  await page.getByLabel('Task', { exact: true }).selectOption('scene_draft');
  await page.getByLabel('Model', { exact: true }).selectOption('fake/writer');
  await decisionSettled(page);
  const atProvider = fake.nextRequest('writer');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  // The request is with the provider, held there, when the window reloads.
  await atProvider;
  await page.reload();
  await expect(page.getByTestId('run-live')).toContainText('this window reloaded while it ran');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Running…' })).toBeDisabled();
  await page.getByTestId('run-live').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/reload-mid-run.png' });
  release();
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(page.getByTestId('run-output')).toHaveText('The harbour remembers.');
  // The writer's choices came through the reload too: the same model, so the same passage can run again.
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('fake/writer');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();
  await page.getByTestId('run-status').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/reload-mid-run-ended.png' });
  // Followed, never started again.
  expect(fake.requests.filter((r) => r.model === 'writer')).toHaveLength(1);
  const runs = await host.call<{ runs: { status: string }[] }>('runs:list');
  expect(runs.value!.runs.map((r) => r.status)).toEqual(['completed']);
  // Another reload shows the run as it ended (the history has it), with nothing to follow.
  await page.reload();
  await expect(page.getByTestId('run-live')).toHaveCount(0);
});

/**
 * A scene draft under way on the fake writer: three words of it on screen, and nothing more until it is stopped.
 * `before`: what happens once the writer is set up, before the page opens (an earlier run for the History).
 */
async function threeWordsIn(
  page: Page,
  host: RunningHost,
  fake: FakeLlmServer,
  before?: () => Promise<void>,
): Promise<void> {
  await writerReady(host, fake);
  await before?.();
  fake.script('writer', { text: 'The harbour remembers every boat.', alwaysFault: { kind: 'stall', afterTokens: 3 } });
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill('The storm took the boats, and the harbour forgot them.');
  await page.getByLabel('Task', { exact: true }).selectOption('scene_draft');
  await page.getByLabel('Model', { exact: true }).selectOption('fake/writer');
  await decisionSettled(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-output')).toHaveText('The harbour remembers');
}

test('a reload mid-answer shows the words that had arrived, each once, and Stop keeps them', async ({
  page,
  host,
  fake,
}) => {
  await threeWordsIn(page, host, fake);
  await page.reload();
  await expect(page.getByTestId('run-live')).toContainText('this window reloaded while it ran');
  await expect(page.getByTestId('run-live')).toContainText('the words written so far are back');
  await expect(page.getByTestId('run-output')).toHaveText('The harbour remembers');
  await page.getByTestId('run-live').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/reload-mid-answer.png' });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/stopped/i);
  await expect(page.getByTestId('run-output')).toHaveText('The harbour remembers');
  expect(fake.requests.filter((r) => r.model === 'writer')).toHaveLength(1);
});

test('another window opens a run from the History while it streams: the words so far show there, and how it ended', async ({
  page,
  context,
  host,
  fake,
}) => {
  await threeWordsIn(page, host, fake);
  // A second window on the same Quire opens the run from its History.
  const other = await context.newPage();
  await other.goto(`${host.url}/#/workbench`);
  await openFromHistory(other, /Scene draft/);
  await expect(other.getByTestId('run-following')).toHaveText(
    'Still running: its words so far, and the rest as they come.',
  );
  await expect(other.getByTestId('run-output')).toHaveText('The harbour remembers');
  await other.getByTestId('run-following').scrollIntoViewIfNeeded();
  await other.screenshot({ path: 'e2e/screenshots/history-following.png' });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(other.getByTestId('run-status')).toHaveText(/stopped/i);
  await expect(other.getByTestId('run-output')).toHaveText('The harbour remembers');
  await other.close();
});

test('a reload with an older run open from the History comes back to it: the page of older runs, the run, its entry in view', async ({
  page,
  host,
  fake,
}) => {
  test.setTimeout(120_000);
  await writerReady(host, fake);
  // A few weeks of drafts: more than the History's first page of 50.
  for (let i = 1; i <= 55; i += 1) {
    const run = await host.call('runs:start', {
      task: 'scene_draft',
      input: `The harbour at dawn, take ${i}.`,
      request: `Draft ${i} of the harbour`,
      model: 'fake/writer',
    });
    expect(run.ok).toBe(true);
  }
  await page.goto(`${host.url}/#/workbench`);
  const history = page.getByTestId('run-history');
  await expect(history.getByRole('button')).toHaveCount(50);
  await page.getByRole('button', { name: 'Show older runs' }).click();
  await expect(history.getByRole('button')).toHaveCount(55);
  // The older runs came in below the list's fold, out of sight: the first of them has the focus, so it is in view.
  await expect(history.getByRole('button').nth(50)).toBeFocused();
  await expect(history.getByRole('button').nth(50)).toBeInViewport();
  await history.getByRole('button', { name: /Draft 3 of the harbour/ }).click();
  const open = history.locator('[aria-current="true"]');
  await expect(open).toContainText('Draft 3 of the harbour');
  await expect(page.getByTestId('run-status')).toHaveText('completed');

  await page.reload();
  // The same screen, the same page of older runs, the same run open, its entry scrolled to (it went back to the top).
  await expect(page).toHaveURL(/#\/workbench$/);
  await expect(history.getByRole('button')).toHaveCount(55);
  await expect(open).toContainText('Draft 3 of the harbour');
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(open).toBeInViewport();
  await page.screenshot({ path: 'e2e/screenshots/reload-history-open.png' });
});

test('a run opened from the History while this window runs its own shows that run, and "Back to your run" brings the words back', async ({
  page,
  host,
  fake,
}) => {
  await threeWordsIn(page, host, fake, async () => {
    fake.script('writer', { text: 'The gulls came back at noon.' });
    const older = await host.call('runs:start', {
      task: 'scene_draft',
      input: 'The gulls.',
      request: 'An older draft of the gulls',
      model: 'fake/writer',
    });
    expect(older.ok).toBe(true);
  });
  // The run under way is in the History too, once its first words are in.
  await expect(page.getByTestId('run-history').getByRole('button', { name: /· running/ })).toHaveCount(1);
  await openFromHistory(page, /An older draft of the gulls/);
  // The run asked for, whole, and a way back to the one still going (its Stop is with it, not under this one).
  await expect(page.getByTestId('run-under-way')).toContainText('Your run is still going');
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(page.getByTestId('run-output')).toHaveText('The gulls came back at noon.');
  await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
  await page.getByTestId('run-under-way').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/history-during-run.png' });
  await page.getByRole('button', { name: 'Back to your run' }).click();
  await expect(page.getByTestId('run-under-way')).toHaveCount(0);
  await expect(page.getByTestId('run-output')).toHaveText('The harbour remembers');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/stopped/i);
  await expect(page.getByTestId('run-output')).toHaveText('The harbour remembers');
});
