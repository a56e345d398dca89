// A whole manuscript in the Workbench: a ~40,000-word novel opened by its path, a continuity check too long for the
// chosen model's context, run as one run in parts ("part N of M"), every finding shown with both quotes located
// (chapter and paragraph, a click shows the quote in the text), and the spend within the quote's bounds. On a
// loopback cloud model that reads the story so far, and on the generated tiny local model (random weights: the
// mechanics, not the prose).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { continuityResponder } from '../test/fixtures/continuity-fake';
import { contradictionManuscript, GREEN_EYES } from '../test/fixtures/manuscript';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import type { FakeLlmServer } from '../test/support/fake-llm-server';
import { expect, test } from './support/fake-host';
import type { RunningHost } from './support/host';

const GREEN = GREEN_EYES;

function manuscriptFile(): string {
  const text = contradictionManuscript();
  const file = join(mkdtempSync(join(tmpdir(), 'quire-novel-')), 'harbour-novel.md');
  writeFileSync(file, text);
  return file;
}

/** A loopback cloud model with an 8,192-token context: the novel is far longer than it reads at once. */
function saveSmallCloud(host: RunningHost, fake: FakeLlmServer) {
  return host.call('providers:save', {
    id: 'fake',
    kind: 'openai-compatible',
    base_url: fake.openaiBaseUrl,
    models: [
      {
        id: 'small',
        display_name: 'Small Cloud',
        quality: 9,
        strengths: ['narrative_continuity'],
        input_usd_per_mtok: 1,
        output_usd_per_mtok: 4,
        context_window: 8192,
      },
    ],
  });
}

async function openManuscript(page: Page, url: string, file: string): Promise<void> {
  await page.goto(`${url}/#/workbench`);
  await page.getByText('A whole manuscript').click();
  await page.getByLabel('File or folder on this computer').fill(file);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(page.getByTestId('manuscript-list')).toContainText('harbour-novel');
  await expect(page.getByRole('textbox', { name: /Passage/ })).toHaveValue(/Mara’s eyes were brown/);
}

test.use({ viewport: { width: 1280, height: 1400 } });

test('a 40,000-word manuscript on a loopback cloud model: parts, both quotes located, spend within the quote', async ({
  page,
  host,
  fake,
}) => {
  test.setTimeout(120_000);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  fake.script('small', { respond: continuityResponder(), inputTokens: 3000, outputTokens: 200, gate });
  expect((await saveSmallCloud(host, fake)).ok).toBe(true);

  await openManuscript(page, host.url, manuscriptFile());
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await page.getByLabel('Model', { exact: true }).selectOption('fake/small');
  const quote = page.getByTestId('job-quote');
  await expect(quote).toContainText(/Runs in \d+ parts on Small Cloud/);
  const parts = Number(/Runs in (\d+) parts/.exec((await quote.textContent()) ?? '')![1]);
  expect(parts).toBeGreaterThan(3);
  const quotedUsd = Number(((await page.getByTestId('job-quote-usd').textContent()) ?? '').replace(/[^0-9.]/g, ''));
  expect(quotedUsd).toBeGreaterThan(0);
  // The job's size in a writer's words, its tokens beside them: about three quarters of a word a token.
  const size = (await page.getByTestId('job-quote-size').textContent())!.replace(/\s+/g, ' ');
  const figures =
    /^In all, the models read at most about ([\d,]+) words and write at most about ([\d,]+) \(([\d,]+) and ([\d,]+) tokens, the pieces of text models are billed by\)\.$/.exec(
      size,
    );
  expect(figures, size).not.toBeNull();
  const [wordsIn, wordsOut, tokensIn, tokensOut] = figures!.slice(1).map((f) => Number(f.replace(/,/g, '')));
  expect(Math.abs(wordsIn! - tokensIn! * 0.75)).toBeLessThanOrEqual(tokensIn! * 0.75 * 0.05);
  expect(Math.abs(wordsOut! - tokensOut! * 0.75)).toBeLessThanOrEqual(tokensOut! * 0.75 * 0.05);
  await expect(quote).not.toContainText('Worst case');
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-quote.png' });

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  // Part 1 is held at the provider: the progress reads "Part 1 of M" and Stop is offered.
  await expect(page.getByTestId('job-progress')).toContainText(`Part 1 of ${parts}`);
  await expect(page.getByRole('button', { name: 'Stop' })).toBeEnabled();
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-progress.png' });
  release();

  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  expect(fake.requests.filter((r) => r.model === 'small')).toHaveLength(parts);
  const findings = page.getByTestId('finding');
  await expect(findings).toHaveCount(1);
  await expect(findings.first()).toContainText('eye colour changes');
  const locations = findings.first().getByTestId('quote-location');
  await expect(locations).toHaveText(['Chapter 2, paragraph 3', 'Chapter 9, paragraph 5']);
  // Jump to the location: the quote is selected in the manuscript on screen.
  await locations.first().click();
  const selected = await page
    .getByRole('textbox', { name: /Passage/ })
    .evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
  expect(selected).toBe(GREEN);
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-findings.png', fullPage: true });

  // One run in the history, its spend within the quote's bounds.
  const runs = await host.call<{ runs: { run_id: string; cost_usd: number; status: string }[] }>('runs:list');
  expect(runs.value!.runs).toHaveLength(1);
  expect(runs.value!.runs[0]!.cost_usd).toBeGreaterThan(0);
  expect(runs.value!.runs[0]!.cost_usd).toBeLessThanOrEqual(quotedUsd);
});

test('Stop ends a manuscript job between parts; the run is kept as stopped', async ({ page, host, fake }) => {
  test.setTimeout(120_000);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  fake.script('small', { respond: continuityResponder(), gate });
  expect((await saveSmallCloud(host, fake)).ok).toBe(true);
  await openManuscript(page, host.url, manuscriptFile());
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await page.getByLabel('Model', { exact: true }).selectOption('fake/small');
  await expect(page.getByTestId('job-quote')).toBeVisible();
  const atProvider = fake.nextRequest('small');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('job-progress')).toContainText('Part 1 of');
  // Part 1 is with the provider (its reservation on disk, the request sent), held there: Stop ends it mid-call.
  await atProvider;
  await page.getByRole('button', { name: 'Stop' }).press('Enter');
  release();
  await expect(page.getByTestId('run-status')).toHaveText(/cancel|stopped/i, { timeout: 30_000 });
  expect(fake.requests.filter((r) => r.model === 'small')).toHaveLength(1);
  const runs = await host.call<{ runs: { status: string }[] }>('runs:list');
  expect(runs.value!.runs.map((r) => r.status)).toEqual(['cancelled']);

  // Resume goes on from the part it stopped at, under the same run: no part that finished is asked again.
  const stopped = page.getByTestId('job-stopped');
  await expect(stopped).toContainText('Stopped at part 1 of');
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-stopped.png' });
  // From the keyboard: Stop went away with the run, so Run has the focus; Resume, when it goes, gives it back.
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeFocused();
  await stopped.getByRole('button', { name: 'Resume' }).press('Enter');
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeFocused();
  const parts = Number((await page.getByTestId('job-quote').textContent())?.match(/Runs in (\d+) parts/)?.[1]);
  // The stopped part 1 is asked again (it had not finished); every other part once.
  expect(fake.requests.filter((r) => r.model === 'small')).toHaveLength(parts + 1);
  const after = await host.call<{ runs: { status: string }[] }>('runs:list');
  expect(after.value!.runs.map((r) => r.status)).toEqual(['completed']);
});

test('the same manuscript on the tiny local model with a small context runs in parts, free', async ({ page, host }) => {
  test.setTimeout(900_000);
  // A vocabulary with word pieces, as every real model's has: each part's answer, with room for a finding at the short
  // length, is counted as realistically as its text (one token a byte, the default fixture's, is no real model's).
  const imported = await host.call<{ registry_model_id: string }>('models:import', {
    path: tinyLlamaFixture({ contextLength: 16_384, vocabulary: { kind: 'bpe', learned: 800 } }),
    name: 'Story fixture',
  });
  expect(imported.ok).toBe(true);
  await openManuscript(page, host.url, manuscriptFile());
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await page.getByLabel('Model', { exact: true }).selectOption(imported.value!.registry_model_id);
  await page.getByLabel('Answer length', { exact: true }).selectOption('short');
  const quote = page.getByTestId('job-quote');
  await expect(quote).toContainText(/Runs in \d+ parts on Story fixture/, { timeout: 30_000 });
  await expect(page.getByTestId('job-quote-usd')).toHaveText('$0.00');
  const parts = Number(/Runs in (\d+) parts/.exec((await quote.textContent()) ?? '')![1]);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('job-progress')).toContainText(new RegExp(`Part \\d+ of ${parts}`), {
    timeout: 60_000,
  });
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-local-progress.png' });
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 840_000 });
  await expect(page.getByTestId('run-cost')).toHaveText('$0.00');
  // Each part's answer had room for a finding at the short length (it said the context had none, and found none).
  const notices = page.getByTestId('run-answer-notice');
  await expect(notices.filter({ hasText: 'given room for one' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'no room left for findings' })).toHaveCount(0);
  // Random weights: whatever it found, every quote is either located in the text or marked as not found.
  for (const where of await page.getByTestId('quote-location').all())
    await expect(where).toHaveText(/Chapter \d+, paragraph \d+|not found in your text/);
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-local.png', fullPage: true });
  const runs = await host.call<{ runs: { run_id: string; status: string }[] }>('runs:list');
  expect(runs.value!.runs).toHaveLength(1);
});

test('a run in parts stopped, then reopened from the history after a reload, resumes after its finished parts', async ({
  page,
  host,
  fake,
}) => {
  test.setTimeout(120_000);
  // Parts 1 and 2 are answered; part 3 waits at the provider until the writer stops the run.
  fake.script('small', { respond: continuityResponder(), hangAfter: 2 });
  expect((await saveSmallCloud(host, fake)).ok).toBe(true);
  await openManuscript(page, host.url, manuscriptFile());
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await page.getByLabel('Model', { exact: true }).selectOption('fake/small');
  await expect(page.getByTestId('job-quote')).toBeVisible();
  const parts = Number((await page.getByTestId('job-quote').textContent())?.match(/Runs in (\d+) parts/)?.[1]);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('job-progress')).toContainText(`Part 3 of ${parts}`);
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/stopped/i, { timeout: 30_000 });

  // A reload forgets the run on screen; the history still has it, and says how far it got.
  await page.reload();
  await page.getByTestId('run-history').getByRole('button').first().click();
  const stopped = page.getByTestId('job-stopped');
  await expect(stopped).toContainText(
    `This run was stopped after 2 of ${parts} parts. What those parts found is kept.`,
  );
  // Said once, beside Resume: not also as an error telling the writer to start it again.
  await expect(page.getByText('Stopped by the writer')).toHaveCount(0);
  await page.screenshot({ path: 'e2e/screenshots/manuscript-job-reopened.png' });
  fake.script('small', { respond: continuityResponder() });
  const before = fake.requests.filter((r) => r.model === 'small').length;
  await stopped.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  // Part 3 is asked again (it had not finished), then the rest; parts 1 and 2 are not.
  expect(fake.requests.filter((r) => r.model === 'small').length - before).toBe(parts - 2);
  await expect(page.getByTestId('finding').first()).toContainText(GREEN);
  const runs = await host.call<{ runs: { status: string }[] }>('runs:list');
  expect(runs.value!.runs.map((r) => r.status)).toEqual(['completed']);
});

test('a tournament over a whole manuscript, reopened from the History, names it to open, then shows each quote in it', async ({
  page,
  host,
  fake,
}) => {
  test.setTimeout(120_000);
  const manuscript = [
    '# Chapter 1',
    'Mara stood at the quay, her green eyes on the seven boats tied there.',
    '# Chapter 2',
    'The gulls circled the harbour all morning.',
    '# Chapter 3',
    'Her blue eyes flashed as she counted the boats again.',
  ].join('\n\n');
  const eyes = {
    claim: "Mara's eye colour changes from green to blue",
    evidence: [
      { quote: 'her green eyes', location: 'Chapter 1' },
      { quote: 'Her blue eyes flashed', location: 'Chapter 3' },
    ],
    severity: 'high',
    suggestion: null,
  };
  for (const id of ['atlas', 'boreal']) {
    const saved = await host.call('providers:save', {
      id,
      kind: 'openai-compatible',
      base_url: fake.openaiBaseUrl,
      models: [
        {
          id,
          display_name: `${id} reader`,
          quality: 8,
          strengths: ['narrative_continuity'],
          input_usd_per_mtok: 1,
          output_usd_per_mtok: 2,
        },
      ],
    });
    expect(saved.ok).toBe(true);
    fake.script(id, { json: { findings: [eyes] } });
  }
  await host.call('settings:set', { setup: { done: true } });
  const file = join(mkdtempSync(join(tmpdir(), 'quire-novel-')), 'The Lighthouse Keeper.md');
  writeFileSync(file, manuscript);
  const kept = await host.call<{ id: string }>('manuscripts:open', { path: file });
  expect(kept.ok).toBe(true);
  const started = await host.call<{ id: string }>('tournaments:start', {
    task: 'continuity_check',
    input: manuscript,
    models: ['atlas/atlas', 'boreal/boreal'],
    manuscript: { id: kept.value!.id, offset: 0 },
  });
  expect(started.ok).toBe(true);
  await expect
    .poll(
      async () =>
        (await host.call<{ status: string }>('tournaments:get', { tournament_id: started.value!.id })).value?.status,
      {
        timeout: 60_000,
      },
    )
    .toBe('done');

  // Weeks later, another chapter on screen: the tournament names the manuscript it ran on, to open.
  await page.goto(`${host.url}/#/workbench`);
  const box = page.getByRole('textbox', { name: /Passage/ });
  await box.fill('The lighthouse keeper counted the ships.');
  await page.getByTestId('history-tournament').click();
  const panel = page.getByTestId('tournament');
  const places = panel.getByTestId('quote-location');
  await expect(places).toHaveText(['Chapter 1, paragraph 1', 'Chapter 3, paragraph 1']);
  // Its places are named, not pointed at other words.
  await expect(panel.getByRole('button', { name: 'Chapter 1, paragraph 1' })).toHaveCount(0);
  const elsewhere = panel.getByTestId('tournament-elsewhere');
  await expect(elsewhere).toContainText(
    'This tournament was on “The Lighthouse Keeper”, which is not the text on screen.',
  );
  await elsewhere.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/tournament-elsewhere.png' });
  await elsewhere.getByRole('button', { name: 'Open “The Lighthouse Keeper”' }).click();

  // The manuscript on screen: a quote's place shows it there, as a single run's does.
  await expect(box).toHaveValue(/Her blue eyes flashed/);
  await expect(elsewhere).toHaveCount(0);
  await places.nth(1).click();
  const selected = () => box.evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
  await expect.poll(selected).toBe('Her blue eyes flashed');

  // A reload of the window keeps the tournament open, with the manuscript it ran on.
  await page.reload();
  await expect(panel.getByTestId('tournament-summary')).toContainText('2 models · finished');
  await expect(page.getByTestId('run-history').locator('[aria-current="true"]')).toHaveCount(1);
  await expect(box).toHaveValue(/Her blue eyes flashed/);
});
