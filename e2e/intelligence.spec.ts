// Settings → AI Intelligence: switching the quality tier moves the per-task picks and this writer's monthly estimate.
import { expect, test } from './support/host';
import { test as withFake, writerReady } from './support/fake-host';
import { openSettings } from './support/settings';

// Keys in the environment make DeepSeek and OpenAI callable, so the tiers differ (nothing is ever called here).
test.use({
  viewport: { width: 1280, height: 1000 },
  hostEnv: { DEEPSEEK_API_KEY: 'sk-e2e-deepseek-0001', OPENAI_API_KEY: 'sk-e2e-openai-0002' },
});

test('switching the tier changes the per-task recommendations and the monthly estimate', async ({ page, host }) => {
  await openSettings(page, host.url);
  const table = page.getByTestId('recommendations');
  await expect(table.locator('th[aria-current="true"]')).toHaveText(/Balanced tier \(yours\)/);
  const estimateBalanced = await page.getByTestId('estimate-balanced').textContent();
  const estimatePremium = await page.getByTestId('estimate-premium').textContent();
  expect(estimateBalanced).not.toEqual(estimatePremium);
  await expect(page.getByTestId('my-estimate-usd')).toHaveText(estimateBalanced!.replace(' / month', ''));
  await expect(page.getByTestId('usage-profile')).toContainText('sample month');
  const balancedPick = await page.getByTestId('rec-theme_analysis-balanced').locator('.model').textContent();
  const premiumPick = await page.getByTestId('rec-theme_analysis-premium').locator('.model').textContent();
  expect(balancedPick).not.toEqual(premiumPick);
  await expect(table.locator('td[class*="current"]').first()).toContainText(balancedPick!);

  await page.getByText('Best', { exact: true }).click();

  await expect(table.locator('th[aria-current="true"]')).toHaveText(/Best tier \(yours\)/);
  await expect(page.getByTestId('my-estimate-usd')).toHaveText(estimatePremium!.replace(' / month', ''));
  await expect(page.getByTestId('my-estimate')).toContainText('With Best');
  await expect(page.getByTestId('rec-theme_analysis-premium')).toHaveClass(/current/);
  await expect(page.getByTestId('rec-theme_analysis-balanced')).not.toHaveClass(/current/);
  const stored = await host.call<{ orchestrator: { quality_tier: string } }>('settings:get');
  expect(stored.value?.orchestrator.quality_tier).toBe('premium');

  // With the orchestrator on, the Workbench's decision follows the tier.
  await page.getByRole('switch', { name: 'Choose models automatically' }).check();
  await page.getByRole('link', { name: 'Workbench' }).click();
  await page.getByLabel('Task', { exact: true }).selectOption('theme_analysis');
  await expect(page.getByTestId('decision-model')).toHaveText(premiumPick!);
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Quality tier' }).evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: 'e2e/screenshots/intelligence-tier.png' });
});

test('with “Keep everything on this Mac” on, every tier card says why it costs nothing', async ({ page, host }) => {
  await openSettings(page, host.url);
  for (const tier of ['budget', 'balanced', 'premium'])
    await expect(page.getByTestId(`tier-note-${tier}`)).toHaveCount(0);
  await page.getByRole('switch', { name: 'Keep everything on this Mac' }).check();
  for (const tier of ['budget', 'balanced', 'premium']) {
    await expect(page.getByTestId(`estimate-${tier}`)).toContainText('$0.00 / month');
    await expect(page.getByTestId(`tier-note-${tier}`)).toHaveText('Local models only: nothing is spent.');
  }
  await page.getByRole('heading', { name: 'Quality tier' }).evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: 'e2e/screenshots/intelligence-tier-local-only.png' });
  await page.getByRole('switch', { name: 'Keep everything on this Mac' }).uncheck();
  await expect(page.getByTestId('tier-note-premium')).toHaveCount(0);
});

test('a writer creates a custom pack from the active one, edits it, and makes it the active pack', async ({
  page,
  host,
}) => {
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'New pack from the active one' }).click();
  await page.getByLabel('Pack name (lowercase, dashes)').fill('My Pack');
  await expect(page.getByRole('alert').filter({ hasText: 'Use lowercase letters, digits and dashes' })).toBeVisible();
  await expect(page.getByLabel('Pack name (lowercase, dashes)')).toHaveAccessibleDescription(
    /Use lowercase letters, digits and dashes/,
  );
  await page.getByLabel('Pack name (lowercase, dashes)').fill('my-pack');
  await page.getByLabel('Display name').fill('My pack');
  await page.getByRole('combobox', { name: 'Theme analysis' }).selectOption('gpt-4o-mini');
  await page.getByRole('button', { name: 'Create pack' }).click();

  await page.getByRole('radio', { name: /My pack/ }).check();
  await expect(page.getByRole('radio', { name: /My pack/ })).toBeChecked();
  await expect(page.getByTestId('pack-mapping')).toContainText('My pack: which model runs each task');
  await expect(page.getByTestId('pack-mapping').getByRole('row', { name: /Theme analysis/ })).toContainText(
    'GPT-4o mini',
  );
  const packs = await host.call<{ active: string; packs: { name: string; tasks: Record<string, string> }[] }>(
    'packs:list',
  );
  // A model that cannot run now (no key, not downloaded) is marked in the mapping, as in the editor.
  const capabilities = await host.call<{
    models: { id: string; display_name: string; available: boolean }[];
    tasks: { id: string; display_name: string }[];
  }>('orchestrator:capabilities');
  const mine = packs.value!.packs.find((pack) => pack.name === 'my-pack')!;
  const [task, model] = Object.entries(mine.tasks)
    .map(([t, m]) => [t, capabilities.value!.models.find((candidate) => candidate.id === m)] as const)
    .find(([, m]) => m && !m.available)!;
  const taskName = capabilities.value!.tasks.find((candidate) => candidate.id === task)!.display_name;
  await expect(page.getByTestId('pack-mapping').getByRole('row', { name: new RegExp(`^${taskName}`) })).toContainText(
    `${model!.display_name} (not ready)`,
  );
  expect(packs.value?.active).toBe('my-pack');
  expect(packs.value?.packs.find((pack) => pack.name === 'my-pack')?.tasks.theme_analysis).toBe('gpt-4o-mini');

  // Edit it: the change is stored and shown in the mapping.
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('combobox', { name: 'Theme analysis' }).selectOption('deepseek-chat');
  await page.getByRole('button', { name: 'Save pack' }).click();
  await expect(page.getByTestId('pack-mapping').getByRole('row', { name: /Theme analysis/ })).toContainText(
    'DeepSeek V3',
  );
  await page.getByRole('heading', { name: 'Model packs' }).evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: 'e2e/screenshots/intelligence-packs.png' });
});

withFake(
  'a writer’s month is priced from their last 30 days of runs, and the card says so with how many runs',
  async ({ page, host, fake }) => {
    await writerReady(host, fake);
    for (let i = 1; i <= 3; i += 1) {
      const run = await host.call('runs:start', {
        task: 'scene_draft',
        input: `The harbour at dawn, take ${i}.`,
        model: 'fake/writer',
      });
      expect(run.ok).toBe(true);
    }
    await openSettings(page, host.url);
    // It listed the runs by task alone: whether it was the month so far or a whole month, and how many, was not said.
    await expect(page.getByTestId('usage-profile')).toContainText(
      'Based on your last 30 days: 3 runs (3 × Scene draft)',
    );
    await page.getByTestId('my-estimate').screenshot({ path: 'e2e/screenshots/estimate-basis.png' });
  },
);
