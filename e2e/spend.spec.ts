// Spend: with a budget set, runs against the loopback fake provider move the gauge and the daily chart by exactly the
// amounts the server reported, and crossing 80% of the budget raises the alert.
import { addFakeWriter, expect, test } from './support/fake-host';
import { openSettings } from './support/settings';
import { usdLeftText, usdText } from '../src-preload/contract/usd-text';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';

test.use({ viewport: { width: 1280, height: 1300 } });

function today(): string {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

test('runs move the gauge and the daily chart by the reported cost, and 80% raises the alert', async ({
  page,
  host,
  fake,
}) => {
  // A custom endpoint at $1,000 / $2,000 per million tokens: 1,000 in + 500 out is exactly $2.00 a run.
  await addFakeWriter(host, fake, { input: 1000, output: 2000 });
  fake.script('writer', { text: 'The lighthouse keeps its own counsel.', inputTokens: 1000, outputTokens: 500 });

  await openSettings(page, host.url);
  const budget = page.getByLabel('Monthly budget (USD)');
  await budget.fill('5');
  await budget.press('Enter');
  await expect
    .poll(
      async () =>
        (await host.call<{ orchestrator: { monthly_budget: number } }>('settings:get')).value?.orchestrator
          .monthly_budget,
    )
    .toBe(5);

  await page.getByRole('link', { name: 'Spend' }).click();
  await expect(page.getByTestId('gauge-budget')).toHaveText('$5.00');
  await expect(page.getByTestId('gauge-spent')).toHaveText('$0.00');

  const run = () =>
    host.call<{ status: string; cost_usd: number }>('runs:start', {
      // A prose task: the fake's text is the answer (an analysis task answers findings JSON, and a text answer would
      // be repaired once, a second charge).
      task: 'scene_draft',
      input: 'What is this chapter about, beneath the storm?',
      model: 'fake/writer',
      max_output_tokens: 500,
    });

  const first = await run();
  expect(first.value?.status).toBe('completed');
  expect(first.value?.cost_usd).toBe(2);
  // Pushed, not reloaded: the page was never refreshed.
  await expect(page.getByTestId('gauge-spent')).toHaveText('$2.00');
  await expect(page.getByTestId('gauge-remaining')).toHaveText('$3.00');
  await expect(page.getByTestId(`day-${today()}`)).toContainText('$2.00');
  await expect(page.getByTestId(`day-${today()}`)).toContainText(/1 call$/);
  await expect(page.getByTestId('sidebar-spend')).toContainText('$2.00');
  await expect(page.getByTestId('budget-alert-banner')).toHaveCount(0);

  const second = await run();
  expect(second.value?.cost_usd).toBe(2);
  await expect(page.getByTestId('gauge-spent')).toHaveText('$4.00');
  await expect(page.getByTestId('gauge-percent')).toHaveText('80%');
  await expect(page.getByTestId(`day-${today()}`)).toContainText('$4.00');
  await expect(page.getByTestId(`day-${today()}`)).toContainText('2 calls');
  await expect(page.getByTestId('budget-alert-banner')).toContainText('80%');
  await expect(page.getByTestId('spend-alerts')).toContainText('80% of the budget reached');
  await expect(page.getByTestId('by-model')).toContainText('Fake Writer');
  await expect(page.getByTestId('by-task')).toContainText('Scene draft');
  // Where the model ran, in words: the writer's endpoint by its name, never the internal "endpoint:fake".
  await expect(page.getByTestId('by-model')).toContainText('your endpoint “fake”');
  // The figure an accountant sets against each provider's invoice.
  await expect(page.getByTestId('by-provider').getByRole('row', { name: /Your endpoint “fake”/ })).toContainText(
    '$4.00',
  );
  await expect(page.getByTestId('by-model')).not.toContainText('endpoint:fake');
  await expect(page.getByTestId('by-task')).not.toContainText('endpoint');
  // By app: the Workbench's own runs have their row, so the rows add up to the month's $4.00 (apps alone did not).
  await expect(page.getByTestId('by-app').getByRole('row', { name: /Quire \(Workbench\)/ })).toContainText('$4.00');
  expect(fake.requests.filter((request) => request.model === 'writer')).toHaveLength(2);

  await page.screenshot({ path: 'e2e/screenshots/spend-alert.png' });

  // The month as CSV: every ledger row, as the provider reported it.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const csv = await (await file.createReadStream()).toArray();
  const text = Buffer.concat(csv as Buffer[]).toString('utf8');
  const [header, ...rows] = text
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\n');
  const columns = header!.split(',');
  expect(columns).toContain('Model');
  expect(text).toContain('fake/writer');
  // An accountant's reading: the counted column adds up to the gauge's $4.00, and each row says what it was in words.
  const counted = columns.indexOf('Counted against the budget (USD)');
  expect(rows.reduce((sum, row) => sum + Number(row.split(',')[counted]), 0)).toBeCloseTo(4, 9);
  // The model was picked in the Workbench, so the writer chose it.
  for (const row of rows)
    expect(row).toContain(',Scene draft,Fake Writer,fake/writer,you,your endpoint “fake”,charged,');

  // History: the month before had nothing.
  const now = new Date();
  const previous = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const previousMonth = `${previous.getFullYear()}-${String(previous.getMonth() + 1).padStart(2, '0')}`;
  await page.getByLabel('Month', { exact: true }).fill(previousMonth);
  await expect(page.getByText(/^Nothing spent in /)).toBeVisible();
  // A month gone by is named, never "this month", nor "yet" to come.
  const previousName = previous.toLocaleString('en-US', { month: 'long', year: 'numeric' });
  // This data directory began this month: the budget set today is not that month's, so it is measured against none.
  await expect(page.getByTestId('no-alerts')).toHaveText(
    `No alerts: ${previousName} is not measured against a budget.`,
  );
  await expect(page.getByTestId('gauge-budget')).toHaveText('Not recorded');
  await expect(page.getByTestId('month-budget')).toHaveText(
    `Quire began keeping each month's budget after ${previousName}, so ${previousName} is not measured against one.`,
  );
  await expect(page.locator('main')).toContainText(`No calls in ${previousName}.`);
  // Nothing to start there: a month gone by sends the writer to no Workbench.
  await expect(page.getByRole('button', { name: 'Go to the Workbench' })).toHaveCount(0);
  // The screen's own cards (the banner above them is about this month's budget, as it should be).
  for (const card of await page.locator('main section[aria-labelledby]').allInnerTexts()) {
    expect(card).not.toMatch(/this month|\byet\b/i);
  }
  // A reload keeps the month picked (it went back to this month).
  await page.reload();
  await expect(page.getByLabel('Month', { exact: true })).toHaveValue(previousMonth);
  await expect(page.getByText(/^Nothing spent in /)).toBeVisible();
  await page
    .getByLabel('Month', { exact: true })
    .fill(`${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`);
  await expect(page.getByTestId('gauge-spent')).toHaveText('$4.00');

  // The same screen follows a dark system theme, charts included.
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveCSS('background-color', 'rgb(27, 27, 31)');
  await page.screenshot({ path: 'e2e/screenshots/spend-dark.png' });
});

test('a provider that counts more tokens than Quire held for is charged in full and named on the Spend screen', async ({
  page,
  host,
  fake,
}) => {
  // $1 / $2 per million tokens; the provider reports 50,000 input tokens for a one-line passage (a provider that
  // counts more than Quire's bound): about $0.05 charged where about $0.001 was held.
  await addFakeWriter(host, fake, { input: 1, output: 2 });
  fake.script('writer', { text: 'The storm is grief.', inputTokens: 50_000, outputTokens: 10 });
  const run = await host.call<{ status: string; cost_usd: number }>('runs:start', {
    task: 'scene_draft',
    input: 'What is this chapter about, beneath the storm?',
    model: 'fake/writer',
    max_output_tokens: 500,
  });
  expect(run.value?.status).toBe('completed');
  expect(run.value?.cost_usd).toBeCloseTo(0.05002, 8);

  await page.goto(`${host.url}/#/spend`);
  const notice = page.getByTestId('spend-overruns');
  // One model: "… that model" (it read "Providers charged … for those models"), and the provider named, whose invoice
  // it is on (it read "A provider charged").
  await expect(notice).toContainText(
    /Your endpoint “fake” charged \$0\.04\d+ more than Quire held: Fake Writer on 1 call\./,
  );
  await expect(notice).toContainText('counted against your budget, and Quire now holds more for that model.');
  await expect(page.getByTestId('gauge-spent')).toHaveText('$0.05');
  await page.locator('section', { has: notice }).screenshot({ path: 'e2e/screenshots/spend-overrun.png' });
});

test('a call still running is held, not yet a cost: the tables and the local share say so, as the gauge does', async ({
  page,
  host,
  fake,
}) => {
  await addFakeWriter(host, fake, { input: 1000, output: 2000 });
  // Two words of the answer, then nothing more until the run is stopped: its hold stays open meanwhile.
  fake.script('writer', { text: 'The storm took the boats.', alwaysFault: { kind: 'stall', afterTokens: 2 } });
  const runId = '3f0c6a52-51a4-4d0e-9a43-0b8f2f3c7e11';
  const running = host.call('runs:start', {
    run_id: runId,
    task: 'scene_draft',
    input: 'What is this chapter about, beneath the storm?',
    model: 'fake/writer',
    max_output_tokens: 500,
  });
  await expect.poll(async () => fake.requests.length).toBe(1);
  const held = (await host.call<{ reserved_usd: number }>('spend:current')).value!.reserved_usd;
  expect(held).toBeGreaterThan(0);

  await page.goto(`${host.url}/#/spend`);
  await expect(page.getByTestId('gauge-spent')).toHaveText('$0.00');
  await expect(page.getByTestId('gauge-reserved')).toHaveText(usdText(held));
  await expect(page.getByTestId('by-model')).toContainText(`${usdText(held)} of it held for calls still running`);
  await expect(page.getByTestId('local-share')).toContainText(
    `the cloud calls cost $0.00, and ${usdText(held)} is held for calls still running.`,
  );
  await page.locator('section', { has: page.getByTestId('by-model') }).screenshot({
    path: 'e2e/screenshots/spend-held.png',
  });

  expect((await host.call('runs:cancel', { run_id: runId })).ok).toBe(true);
  await running;
  await expect(page.getByTestId('gauge-reserved')).toHaveText('$0.00');
  await expect(page.getByTestId('by-model')).not.toContainText('held');
});

test('before Run, a quote above what the budget has left says what a retry would meet', async ({
  page,
  host,
  fake,
}) => {
  await addFakeWriter(host, fake, { input: 1000, output: 2000 });
  // A local model on this Mac that can do the task: the way on when the picked model is too dear (never a download).
  const local = await host.call('models:import', {
    path: tinyLlamaFixture({ contextLength: 16_384 }),
    name: 'Story fixture',
  });
  expect(local.ok).toBe(true);
  const start = { task: 'theme_analysis', input: 'The storm took the boats.', model: 'fake/writer' };
  const quote = await host.call<{ kind: string; at_most_usd: number; retry: boolean }>('runs:quote', start);
  expect(quote.value).toMatchObject({ kind: 'single', retry: true });
  // Room for the call, not for the call and its one retry.
  const budget = Number((quote.value!.at_most_usd * 0.75).toFixed(4));
  await host.call('settings:set', { orchestrator: { monthly_budget: budget } });

  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(start.input);
  await page.getByLabel('Task', { exact: true }).selectOption('theme_analysis');
  await page.getByLabel('Model', { exact: true }).selectOption('fake/writer');
  await expect(page.getByTestId('decision-over-budget')).toContainText(
    // What is left is rounded down: never shown as more than there is.
    `is more than the ${usdLeftText(budget)} left this month`,
  );
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();

  // A long request of the writer's makes the call itself too dear: the card says so before Run, and Run is off.
  await page.getByLabel('Anything it should focus on? (optional)').fill('Weigh every image of the sea. '.repeat(800));
  // It said "The monthly budget is used up for this task … or download a local model" with one installed.
  const refusal = page.getByTestId('decision-refusal');
  await expect(refusal).toContainText('The model you picked costs more than the budget has left');
  await expect(refusal).toContainText(
    new RegExp(
      `The model you picked, Fake Writer, would cost about \\$[\\d.]+, more than the \\${usdLeftText(budget)} left ` +
        'this month\\. Pick Story fixture, which runs on this Mac for free, or raise the monthly budget in Settings\\.',
    ),
  );
  await expect(refusal).not.toContainText('download');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
});
