// Issue 16's "Done when", walked as a new writer would: a fresh data directory, the welcome panel, "balanced", the one
// key it asks for, then a continuity check on a short passage whose findings come back with their quotes located in
// the text. The cloud is the loopback fake LLM server (every built-in provider's address points at it, set up
// through the contract as the other e2e specs do); a screenshot is taken at each step.
import { expect, test } from '@playwright/test';
import { startFakeLlmServer, type FakeLlmServer } from '../test/support/fake-llm-server';
import { NO_KEYS, startHost, type RunningHost } from './support/host';

let host: RunningHost;
let fake: FakeLlmServer;
test.use({ viewport: { width: 1280, height: 1000 } });
test.describe.configure({ timeout: 180_000 });

test.beforeEach(async () => {
  fake = await startFakeLlmServer({ port: 0 });
  // A fresh machine: no keys in the environment, nothing downloaded, a new data directory.
  host = await startHost({ env: NO_KEYS });
  for (const id of ['openai', 'deepseek', 'qwen', 'gemini', 'openrouter'])
    expect((await host.call('providers:save', { id, base_url: fake.openaiBaseUrl, builtin: true })).ok).toBe(true);
  expect(
    (await host.call('providers:save', { id: 'anthropic', base_url: fake.anthropicBaseUrl, builtin: true })).ok,
  ).toBe(true);
});
test.afterEach(async () => {
  await host.stop();
  await fake.close();
});

/** A key of the right shape for each provider's label (it only ever reaches the loopback fake). */
const FAKE_KEYS: [RegExp, string][] = [
  [/Anthropic/, 'sk-ant-e2e-not-a-real-key-0001'],
  [/OpenRouter/, 'sk-or-e2e-not-a-real-key-0001'],
  [/Gemini|Google/, 'AIzaE2eNotARealKey0000000001'],
  [/./, 'sk-e2e-not-a-real-key-0001'],
];

const PASSAGE = [
  '# Chapter 1',
  'Mara had her mother’s eyes, green as the harbour in May.',
  'She walked to the lighthouse before the rain came.',
  '# Chapter 2',
  'Years later, Tobias still remembered Mara’s brown eyes in the lamplight.',
].join('\n\n');

const FINDING = {
  claim: 'Mara’s eye colour changes from green to brown.',
  evidence: [
    { quote: 'Mara had her mother’s eyes, green as the harbour in May.', location: 'Chapter 1' },
    { quote: 'Mara’s brown eyes in the lamplight', location: 'Chapter 2' },
  ],
  severity: 'high',
  suggestion: 'Pick one colour and use it in both chapters.',
};

const shot = (name: string) => `e2e/screenshots/first-run-walk-${name}.png`;

test('a new writer picks balanced, adds one key and gets a continuity check with located quotes', async ({ page }) => {
  // 1. The app opens on the welcome panel.
  await page.goto(host.url);
  const setup = page.getByTestId('first-run-setup');
  await expect(setup.getByRole('heading', { name: 'Welcome to Quire' })).toBeVisible();
  await expect(setup.getByTestId('setup-option-balanced')).toContainText('for a month like yours');
  await expect(page.locator('.notice.error')).toHaveCount(0);
  await page.screenshot({ path: shot('1-welcome') });

  // 2. "Balanced": it asks for one key.
  await setup.getByRole('button', { name: 'Choose Balanced' }).click();
  const keyField = setup.getByLabel(/^Add an? .+ key$/).first();
  await expect(keyField).toBeVisible();
  await page.screenshot({ path: shot('2-balanced') });

  // 3. The key is added; every task can run.
  const label = (await setup.locator('label[for^="setup-key-"]').first().textContent()) ?? '';
  await keyField.fill(FAKE_KEYS.find(([pattern]) => pattern.test(label))![1]);
  await setup.getByRole('button', { name: 'Save key' }).first().click();
  await expect(setup.getByTestId('setup-ready')).toHaveText('You are set up: every task can run.');
  await page.screenshot({ path: shot('3-key-added') });
  await setup.getByRole('button', { name: 'Start writing' }).click();
  await expect(setup).toHaveCount(0);

  // 4. A continuity check on a short passage: Quire names the model and the most it may cost.
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption('continuity_check');
  await expect(page.getByTestId('decision-model')).not.toBeEmpty();
  const decided = await host.call<{ model_id: string | null }>('orchestrator:decide', {
    task: 'continuity_check',
    input_tokens: 200,
  });
  const modelId = decided.value!.model_id!;
  // The quote's "at most" is set by the dearest model the run may fall back to (Claude Sonnet, behind DeepSeek): the
  // card names it beside what the chosen model is expected to cost, so the figure far above that is explained.
  const quote = await host.call<{ set_by: string | null }>('runs:quote', { task: 'continuity_check', input: PASSAGE });
  expect(quote.value!.set_by).toMatch(/claude-sonnet/);
  await expect(page.getByTestId('decision-quote-expected')).toHaveText(
    /^Expected about \$[\d.]+\. The most \(\$[\d.]+\) is only if DeepSeek.* fails and Claude Sonnet.* answers instead\.$/,
  );
  // The fake answers as that model would (under the name its provider knows it by, e.g. deepseek/deepseek-v3.2 for
  // openrouter/deepseek/deepseek-v3.2): the findings, as JSON in the task's answer form.
  for (const name of new Set([modelId, modelId.split('/').slice(1).join('/'), modelId.split('/').pop()!]))
    fake.script(name, { json: { findings: [FINDING] }, inputTokens: 900, outputTokens: 120 });
  await page.screenshot({ path: shot('4-passage') });

  // 5. Run: the finding, with both quotes found in the writer's text and placed by chapter and paragraph.
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const finding = page.getByTestId('run-answer').getByTestId('finding');
  await expect(finding).toHaveCount(1, { timeout: 60_000 });
  await expect(finding).toContainText(FINDING.claim);
  const quotes = finding.locator('.quotes li');
  await expect(quotes).toHaveCount(2);
  await expect(quotes.nth(0)).toContainText(FINDING.evidence[0]!.quote);
  await expect(quotes.nth(0).locator('.where')).toHaveText(/Chapter 1.*paragraph 1/i);
  await expect(quotes.nth(1).locator('.where')).toHaveText(/Chapter 2.*paragraph 1/i);
  await expect(finding.locator('.missing')).toHaveCount(0);
  await finding.scrollIntoViewIfNeeded();
  await page.screenshot({ path: shot('5-findings') });
});
