// Mistakes a writer can make in Settings: each shows a message that says what is wrong, and nothing is changed.
import { expect, test } from '@playwright/test';
import { startFakeLlmServer, type FakeLlmServer } from '../src-main/test-support/fake-llm-server';
import { startHost, type RunningHost } from './support/host';

let host: RunningHost;
let fake: FakeLlmServer;

test.beforeEach(async () => {
  fake = await startFakeLlmServer({ port: 0 });
  host = await startHost();
});
test.afterEach(async () => {
  await host.stop();
  await fake.close();
});

test('an invalid budget, a bad API key and an unreachable endpoint each say what is wrong and change nothing', async ({
  page,
}) => {
  await host.call('settings:set', { orchestrator: { monthly_budget: 5 } });
  // OpenAI's traffic goes to the loopback fake, which refuses every key.
  await host.call('providers:save', { id: 'openai', base_url: fake.openaiBaseUrl, builtin: true });
  fake.script('__models__', { alwaysFault: { kind: 'status', status: 401, message: 'Incorrect API key provided' } });
  await page.goto(`${host.url}/#/settings`);

  // 1. A budget over the limit.
  const budget = page.getByLabel('Monthly budget (USD)');
  await budget.fill('2000000');
  await budget.press('Enter');
  await expect(page.getByTestId('budget-error')).toHaveText(/at most \$1,000,000/);
  expect((await host.call<{ orchestrator: { monthly_budget: number } }>('settings:get')).value?.orchestrator.monthly_budget).toBe(5);

  // 2a. Something that is not a key at all.
  const key = page.getByLabel('OpenAI API key');
  await key.fill('oops');
  await page.getByTestId('key-openai').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('key-feedback-openai')).toContainText('does not look like an API key');
  // 2b. A key the provider refuses.
  await key.fill('sk-e2e-wrong-key-0000');
  await page.getByTestId('key-openai').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('key-feedback-openai')).toContainText('The key was not saved');
  await expect(page.getByTestId('key-feedback-openai')).toContainText(/401|Incorrect API key/);
  await expect(page.getByTestId('key-status-openai')).toContainText('No key');
  const keys = await host.call<{ keys: { provider: string; configured: boolean }[] }>('keys:status');
  expect(keys.value?.keys.find((item) => item.provider === 'openai')?.configured).toBe(false);

  // 3. An endpoint nobody is listening on.
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  await page.getByLabel('Endpoint id').fill('studio');
  await page.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
  await page.getByLabel('Model id').fill('writer-model');
  await page.getByRole('button', { name: 'Test and add' }).click();
  await expect(page.getByTestId('endpoint-error')).toContainText('Quire could not reach http://127.0.0.1:9/v1');
  await expect(page.getByTestId('endpoint-error')).toContainText('Nothing was saved');
  const providers = await host.call<{ providers: { id: string; type: string }[] }>('providers:list');
  expect(providers.value?.providers.filter((provider) => provider.type === 'custom')).toEqual([]);

  await page.setViewportSize({ width: 1280, height: 1750 });
  await page.getByRole('heading', { name: 'Budget' }).evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: 'e2e/screenshots/errors-settings.png' });
});
