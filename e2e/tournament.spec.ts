// Tournament: a continuity check answered side by side by two loopback providers and the local fixture model. The
// writer sees one finding most models agree on (consensus) and one only a minority reported (disputed), with each of
// their quotes and where Quire found it in the text (or that it is not there), who said them and a confidence, then
// accepts one and dismisses the other.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import { startFakeLlmServer, type FakeLlmServer } from '../test/support/fake-llm-server';
import { startHost, type RunningHost } from './support/host';
import { decisionSettled } from './support/workbench';

let host: RunningHost;
let atlasServer: FakeLlmServer;
let borealServer: FakeLlmServer;

test.use({ viewport: { width: 1280, height: 1400 } });
test.beforeEach(async () => {
  atlasServer = await startFakeLlmServer({ port: 0 });
  borealServer = await startFakeLlmServer({ port: 0 });
  host = await startHost();
});
test.afterEach(async () => {
  await host.stop();
  await atlasServer.close();
  await borealServer.close();
});

const PASSAGE = [
  '# Chapter 3',
  'Mara stood at the quay, her green eyes on the seven boats tied there.',
  '# Chapter 12',
  'Her blue eyes flashed as she counted the five boats again.',
].join('\n\n');

// Findings in the task library's contract, as a single run answers them: a contradiction cites both places.
const EYES = {
  claim: "Mara's eye colour changes from green to blue",
  evidence: [
    { quote: 'her green eyes', location: 'Chapter 3' },
    { quote: 'Her blue eyes flashed', location: 'Chapter 12' },
  ],
  severity: 'high',
  suggestion: null,
};
const BOATS = {
  claim: 'The number of boats drops from seven to five with no explanation',
  // The second quote is not in the passage: the writer is told so.
  evidence: [
    { quote: 'the five boats', location: 'Chapter 12' },
    { quote: 'the nine boats at anchor', location: 'Chapter 3' },
  ],
  severity: 'medium',
  suggestion: 'Say where two boats went.',
};

async function addEndpoint(id: string, server: FakeLlmServer, model: string, name: string): Promise<void> {
  const saved = await host.call('providers:save', {
    id,
    kind: 'openai-compatible',
    base_url: server.openaiBaseUrl,
    models: [
      {
        id: model,
        display_name: name,
        quality: 8,
        strengths: ['narrative_continuity'],
        input_usd_per_mtok: 1,
        output_usd_per_mtok: 2,
      },
    ],
  });
  expect(saved.ok).toBe(true);
}

test('a continuity check as a three-model tournament shows consensus and disputes, and takes verdicts', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await addEndpoint('atlas', atlasServer, 'atlas', 'Atlas Reader');
  await addEndpoint('boreal', borealServer, 'boreal', 'Boreal Reader');
  // Both cloud readers notice the eyes; only Atlas notices the boats. 400 in + 100 out at $1/$2 per million = $0.0006.
  atlasServer.script('atlas', { json: { findings: [EYES, BOATS] }, inputTokens: 400, outputTokens: 100 });
  borealServer.script('boreal', { json: { findings: [EYES] }, inputTokens: 400, outputTokens: 100 });
  // The shipped task instructions are ~2,000 of the fixture's byte-level tokens: a context that holds them and the answer.
  // A vocabulary with word pieces, as every real model's has: its answer, with room for a finding at the short length,
  // is counted as realistically as the passage (one token a byte, the default fixture's, is no real model's).
  const imported = await host.call<{ registry_model_id: string }>('models:import', {
    path: tinyLlamaFixture({ contextLength: 8192, vocabulary: { kind: 'bpe', learned: 800 } }),
    name: 'Story fixture',
  });
  expect(imported.ok).toBe(true);
  const localId = imported.value!.registry_model_id;

  await page.goto(`${host.url}/#/workbench`);
  // Before there is a passage to quote, the hint promises no number of models: who can sit is not known yet (it said
  // "3 models answer side by side" where two were set up).
  await expect(page.locator('#tournament-hint')).toHaveText(
    'Several models answer side by side; you see where they agree and disagree.',
  );
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await page.getByLabel('Answer length', { exact: true }).selectOption('short');
  await page.getByLabel('Anything it should focus on? (optional)').fill('Only the eyes and the boats.');
  await decisionSettled(page, 200);

  // The writer picks the three members by hand. Their quote is held back at first: until it lands, "Run as
  // tournament" waits and says it is working out the cost.
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/tournaments:quote', async (route) => {
    await released;
    await route.continue();
  });
  await page.getByText('Members', { exact: true }).click();
  for (const name of ['Atlas Reader', 'Boreal Reader', 'Story fixture'])
    await page.getByRole('checkbox', { name }).check();
  const launch = page.getByRole('button', { name: 'Run as tournament' });
  await expect(page.locator('#tournament-hint')).toHaveText('Working out what each model may cost…');
  await expect(launch).toHaveAttribute('aria-disabled', 'true');
  release();
  // Before it runs, the writer sees what the three may cost in all (what the tournament reserves).
  await expect(page.locator('#tournament-hint')).toHaveText(
    /^3 models you picked answer side by side, at most \$[\d.]+ in all\.$/,
  );
  await expect(launch).toHaveAttribute('aria-disabled', 'false');
  await launch.click();

  // Members appear side by side as soon as the tournament starts, before it ends.
  const panel = page.getByTestId('tournament');
  await expect(panel.getByTestId('member-atlas/atlas')).toBeVisible({ timeout: 30_000 });
  await expect(panel.getByTestId(`member-${localId}`)).toBeVisible();
  // Two shared cores: the tiny local model takes a while to load and answer.
  await expect(panel.getByTestId('tournament-summary')).toContainText('3 models · finished', { timeout: 120_000 });
  await expect(panel.getByTestId('member-atlas/atlas').getByTestId('member-status')).toHaveText('answered');
  await expect(panel.getByTestId('member-atlas/atlas').getByTestId('member-cost')).toHaveText('$0.0006');
  // Where each member ran, in words: the writer's endpoint by name, the local model on this Mac.
  await expect(panel.getByTestId('member-atlas/atlas').locator('.meta')).toHaveText('your endpoint “atlas”');
  await expect(panel.getByTestId(`member-${localId}`).locator('.meta')).toContainText('on this Mac');
  await expect(panel.getByTestId('member-boreal/boreal').getByTestId('member-status')).toHaveText('answered');
  // The random-weight model's grammar has room for one finding at the short length (raised, free) and always closes
  // its JSON: these weights report none.
  await expect(panel.getByTestId(`member-${localId}`).getByTestId('member-status')).toHaveText('answered');
  // Each answer reads as its claims, not as the JSON the model sent.
  const atlasAnswer = panel.getByTestId('member-atlas/atlas').getByTestId('member-text');
  await expect(atlasAnswer.locator('li')).toHaveText([`${EYES.claim} (high)`, `${BOATS.claim} (medium)`]);
  await expect(panel.getByTestId(`member-${localId}`).getByTestId('member-text')).toHaveText('No findings.');
  await panel.getByTestId('member-atlas/atlas').getByText('Its answer').click();
  await expect(atlasAnswer).toBeVisible();
  await panel.getByTestId('member-atlas/atlas').screenshot({ path: 'e2e/screenshots/tournament-member.png' });

  const consensus = panel.getByTestId('group-consensus');
  const eyes = consensus.locator('article', { hasText: EYES.claim });
  // Both places of the contradiction, each where Quire found it (not where the model said).
  await expect(eyes.getByTestId('finding-quote')).toHaveText(['“her green eyes”', '“Her blue eyes flashed”']);
  await expect(eyes.getByTestId('quote-location')).toHaveText(['Chapter 3, paragraph 1', 'Chapter 12, paragraph 1']);
  await expect(eyes.getByTestId('finding-who')).toContainText('Said by Atlas Reader, Boreal Reader');
  await expect(eyes.getByTestId('finding-who')).toContainText('not mentioned by Story fixture');
  // A percentage, as a single run's confidence reads ("43%"), not a bare 0.84.
  await expect(eyes.getByTestId('confidence-value')).toHaveText(/^\d{1,3}%$/);

  const disputed = panel.getByTestId('group-disputed');
  const boats = disputed.locator('article', { hasText: BOATS.claim });
  await expect(boats.getByTestId('finding-quote')).toHaveText(['“the five boats”', '“the nine boats at anchor”']);
  await expect(boats.getByTestId('quote-location')).toHaveText(['Chapter 12, paragraph 1', 'not found in your text']);
  await expect(boats).toContainText('Suggestion: Say where two boats went.');
  await expect(boats.getByTestId('finding-who')).toContainText('Said by Atlas Reader');
  await expect(boats.getByTestId('finding-who')).toContainText('not mentioned by');
  await expect(boats.getByTestId('finding-who')).toContainText('Boreal Reader');
  await expect(boats.getByTestId('finding-who')).toContainText('Story fixture');
  // The majority's finding is the surer one (and the boats rest on a quote that is not in the text).
  const percent = async (finding: typeof eyes) =>
    parseFloat((await finding.getByTestId('confidence-value').textContent())!);
  const eyesConfidence = await percent(eyes);
  const boatsConfidence = await percent(boats);
  expect(eyesConfidence).toBeGreaterThan(boatsConfidence);

  // The confidence's ingredients on demand.
  await eyes.getByTestId('finding-confidence').locator('summary').click();
  await expect(eyes.getByTestId('finding-confidence')).toContainText('of members reported it');

  await eyes.getByRole('button', { name: 'Accept' }).click();
  await expect(eyes.getByTestId('finding-resolution')).toHaveText('Accepted');
  await boats.getByRole('button', { name: 'Dismiss' }).click();
  await expect(boats.getByTestId('finding-resolution')).toHaveText('Dismissed');
  await expect(boats.getByRole('button', { name: 'Dismiss' })).toHaveAttribute('aria-pressed', 'true');

  // What the writer asked is above the decision, and the tournament is kept as a report to show an editor.
  await expect(panel.getByTestId('tournament-request')).toHaveText('You asked: “Only the eyes and the boats.”');
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export the report (Markdown)' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^Quire Continuity check tournament \d{4}-\d{2}-\d{2}\.md$/);
  const report = readFileSync((await file.path())!, 'utf8');
  expect(report).toContain('# Continuity check: tournament of 3 models');
  expect(report).toContain('Your request:\n\n> Only the eyes and the boats.');
  expect(report).toContain('Found by Atlas Reader and Boreal Reader. Not mentioned by Story fixture.');
  expect(report).toContain('Your verdict: accepted.');
  expect(report).toContain('Your verdict: dismissed.');
  expect(report).toContain('### Atlas Reader\n\n- Answered · cost $0.0006');

  // Stored: the verdicts come back from the host.
  const list = await host.call<{ id: string }[]>('tournaments:list');
  expect(list.value).toHaveLength(1);
  const stored = await host.call<{ findings: { claim: string; status: string; resolution: string | null }[] }>(
    'tournaments:get',
    { tournament_id: list.value![0]!.id },
  );
  const byClaim = (claim: string) => stored.value!.findings.find((finding) => finding.claim === claim);
  expect(byClaim(EYES.claim)).toMatchObject({ status: 'consensus', resolution: 'accepted' });
  expect(byClaim(BOATS.claim)).toMatchObject({ status: 'disputed', resolution: 'dismissed' });
  expect(atlasServer.requests.filter((request) => request.model === 'atlas')).toHaveLength(1);
  expect(borealServer.requests.filter((request) => request.model === 'boreal')).toHaveLength(1);
  // Every member read the writer's words with the passage.
  for (const request of [...atlasServer.requests, ...borealServer.requests].filter((r) => r.model !== '__models__')) {
    const messages = (request.body as { messages: { role: string; content: string }[] }).messages;
    expect(messages.find((m) => m.role === 'user')!.content).toContain(
      "The writer's request:\nOnly the eyes and the boats.",
    );
  }

  // The History lists the tournament once, not the three runs its models made.
  const history = page.getByTestId('run-history');
  await expect(history.getByRole('button')).toHaveCount(1);
  await expect(history.getByRole('button')).toContainText('Continuity check · tournament of 3 models');
  // Which tournament it was, in the writer's words.
  await expect(history.getByTestId('history-request')).toHaveText('“Only the eyes and the boats.”');
  await page.screenshot({ path: 'e2e/screenshots/tournament.png', fullPage: true });

  // A member's own answer opens in the Result, which says whose it is and which tournament it was part of.
  await panel
    .getByTestId('member-atlas/atlas')
    .getByRole('button', { name: /Open Atlas Reader’s answer/ })
    .click();
  const member = page.getByTestId('tournament-member');
  await expect(member).toContainText(
    /Atlas Reader’s answer: one of 3 models in the tournament of \w{3} \d{1,2}, \d{4}\./,
  );
  await expect(page.getByTestId('finding')).toHaveCount(2);
  // Opened on its own, the member's answer still says what it was asked.
  await expect(page.getByTestId('run-request')).toHaveText('You asked: “Only the eyes and the boats.”');
  await panel.getByRole('button', { name: 'Close the tournament' }).click();
  await member.getByRole('button', { name: 'Show the tournament' }).click();
  await expect(panel.getByTestId('tournament-summary')).toContainText('3 models · finished');

  // Reopen from the history after a reload: the verdicts are still there.
  await page.reload();
  await page.getByTestId('run-history').getByRole('button').first().click();
  await expect(
    page.getByTestId('group-consensus').locator('article', { hasText: EYES.claim }).getByTestId('finding-resolution'),
  ).toHaveText('Accepted');
});

test('Stop ends a running tournament: its models stop, and it says it was stopped and what it cost', async ({
  page,
}) => {
  await addEndpoint('atlas', atlasServer, 'atlas', 'Atlas Reader');
  await addEndpoint('boreal', borealServer, 'boreal', 'Boreal Reader');
  // Both providers have the request and hold their answers: the tournament is running.
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  atlasServer.script('atlas', { json: { findings: [EYES] }, gate });
  borealServer.script('boreal', { json: { findings: [EYES] }, gate });
  try {
    await page.goto(`${host.url}/#/workbench`);
    await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
    await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
    await decisionSettled(page);
    await page.getByText('Members', { exact: true }).click();
    for (const name of ['Atlas Reader', 'Boreal Reader']) await page.getByRole('checkbox', { name }).check();
    const launch = page.getByRole('button', { name: 'Run as tournament' });
    await expect(launch).toHaveAttribute('aria-disabled', 'false');
    await launch.click();
    const panel = page.getByTestId('tournament');
    await expect(panel.getByTestId('tournament-summary')).toContainText('0 of 2 models have answered');
    await expect.poll(() => atlasServer.requests.length + borealServer.requests.length).toBe(2);
    // There was no Stop: a tournament ran to its end, or until Quire quit.
    await panel.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(panel.getByTestId('tournament-summary')).toContainText('2 models · stopped · cost');
    await expect(panel.getByTestId('tournament-ended')).toHaveText(
      /^You stopped this tournament\. Nothing more was sent/,
    );
    await expect(page.getByTestId('tournament-error')).toHaveCount(0);
    await expect(panel.getByTestId('member-status')).toHaveText(['stopped', 'stopped']);
    await expect(panel.getByTestId('member-error').first()).toHaveText(
      'Stopped with the tournament before it had answered.',
    );
    // Not "No model reported anything to fix": none was let finish.
    await expect(panel.getByText('No model reported anything to fix')).toHaveCount(0);
    await panel.screenshot({ path: 'e2e/screenshots/tournament-stopped.png' });
    const spend = await host.call<{ reserved_usd: number }>('spend:current');
    expect(spend.value!.reserved_usd).toBe(0);
  } finally {
    release();
  }
});

test('a critical task run with Run becomes a tournament the Workbench opens', async ({ page }) => {
  await addEndpoint('atlas', atlasServer, 'atlas', 'Atlas Reader');
  await addEndpoint('boreal', borealServer, 'boreal', 'Boreal Reader');
  atlasServer.script('atlas', { json: { findings: [EYES] }, inputTokens: 400, outputTokens: 100 });
  borealServer.script('boreal', { json: { findings: [EYES] }, inputTokens: 400, outputTokens: 100 });
  // The orchestrator (not the model pack) decides, and continuity checks count as critical.
  const set = await host.call('settings:set', {
    orchestrator: { enabled: true },
    tournament: { enabled: true, critical_tasks: ['continuity_check'], num_models: 2 },
  });
  expect(set.ok).toBe(true);

  // The quote is held back: until it lands the writer has not seen what every member may cost, and Run stays off.
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/runs:quote', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await expect(page.getByTestId('decision-model')).not.toBeEmpty();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveAttribute('aria-disabled', 'true');
  release();
  await expect(page.getByTestId('tournament-quote')).toBeVisible();
  await decisionSettled(page);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toHaveAttribute('aria-disabled', 'false');
  // Tokens as each member is sent them: the task's instruction with the passage, not the passage alone.
  const quote = await host.call<{ input_tokens: number }>('runs:quote', { task: 'continuity_check', input: PASSAGE });
  await expect(page.getByTestId('decision-tokens')).toContainText(
    `About ${quote.value!.input_tokens.toLocaleString('en-US')} tokens in to each member`,
  );
  await page.getByTestId('decision').screenshot({ path: 'e2e/screenshots/tournament-quote-card.png' });
  await page.getByRole('button', { name: 'Run', exact: true }).click();

  const panel = page.getByTestId('tournament');
  await expect(panel.getByTestId('tournament-summary')).toContainText('2 models · finished');
  await expect(page.getByText('several models answered it as a tournament')).toBeVisible();
  const eyes = page.getByTestId('group-consensus').locator('article', { hasText: EYES.claim });
  await expect(eyes.getByTestId('finding-who')).toContainText('Atlas Reader');
  await expect(eyes.getByTestId('finding-who')).toContainText('Boreal Reader');
});

test('a critical task that cannot be seated says why and what one model would cost, and runs it only on a yes', async ({
  page,
}) => {
  await addEndpoint('atlas', atlasServer, 'atlas', 'Atlas Reader');
  atlasServer.script('atlas', { json: { findings: [EYES] }, inputTokens: 400, outputTokens: 100 });
  const set = await host.call('settings:set', {
    orchestrator: { enabled: true },
    tournament: { enabled: true, critical_tasks: ['continuity_check'], num_models: 2 },
  });
  expect(set.ok).toBe(true);

  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await decisionSettled(page);
  // The card quotes what the one model would cost: its call and one retry, the task's instruction counted.
  const quote = await host.call<{ kind: string; instead: { at_most_usd: number } }>('runs:quote', {
    task: 'continuity_check',
    input: PASSAGE,
  });
  expect(quote.value!.kind).toBe('unseated');
  const oneModel = (await page.getByTestId('decision-quote').textContent())!;
  expect(Number(oneModel.replace('$', ''))).toBeCloseTo(quote.value!.instead.at_most_usd, 4);
  await expect(page.getByTestId('decision-quote-covers')).toHaveText(
    '(the answer, and one retry only if it cannot be read)',
  );
  // Wrapped under the model's name by its long note, the figure still sits at the card's right edge, where it is read.
  const card = (await page.getByTestId('decision').boundingBox())!;
  const figure = (await page.getByTestId('decision-quote').boundingBox())!;
  expect(card.x + card.width - (figure.x + figure.width)).toBeLessThan(24);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('This task cannot run as a tournament now');
  await expect(dialog).toContainText(`Run it on one model instead (Atlas Reader, at most ${oneModel})?`);
  await page.screenshot({ path: 'e2e/screenshots/tournament-unseated.png' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(atlasServer.requests).toHaveLength(0);

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Run on one model' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 60_000 });
  await expect(page.getByTestId('run-model')).toHaveText('Atlas Reader');
  expect(atlasServer.requests).toHaveLength(1);
});

test('"Run this as a tournament" under a result says what the models would cost before it starts', async ({ page }) => {
  await addEndpoint('atlas', atlasServer, 'atlas', 'Atlas Reader');
  await addEndpoint('boreal', borealServer, 'boreal', 'Boreal Reader');
  atlasServer.script('atlas', { json: { findings: [EYES] }, inputTokens: 400, outputTokens: 100 });
  borealServer.script('boreal', { json: { findings: [EYES] }, inputTokens: 400, outputTokens: 100 });
  await host.call('settings:set', { tournament: { num_models: 2 } });

  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await decisionSettled(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/completed/i, { timeout: 60_000 });

  const quote = await host.call<{ kind: string; total_usd: number; members: unknown[] }>('tournaments:quote', {
    task: 'continuity_check',
    input: PASSAGE,
  });
  expect(quote.value!.kind).toBe('tournament');
  const hint = page.getByTestId('promote-hint');
  await expect(hint).toHaveText(
    /^Continuity check on the passage above, by 2 models side by side, at most \$[\d.]+ in all\.$/,
  );
  const shown = Number(/\$([\d.]+)/.exec((await hint.textContent())!)![1]);
  expect(shown).toBeCloseTo(quote.value!.total_usd, 4);
  await page.getByTestId('promote-tournament').click();
  await expect(page.getByTestId('tournament').getByTestId('tournament-summary')).toContainText('2 models · finished');
});
