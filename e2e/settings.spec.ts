import { test, expect } from './support/host';

test('the quality tier is saved and survives a reload', async ({ page, host }) => {
  await page.goto(`${host.url}/#/settings`);
  const premium = page.getByRole('radio', { name: /Premium/ });
  await expect(page.getByRole('radio', { name: /Balanced/ })).toBeChecked();
  await page.getByText('Premium', { exact: true }).click();
  await expect(premium).toBeChecked();
  await expect
    .poll(
      async () =>
        (await host.call<{ orchestrator: { quality_tier: string } }>('settings:get')).value?.orchestrator.quality_tier,
    )
    .toBe('premium');

  await page.reload();
  await expect(page.getByRole('radio', { name: /Premium/ })).toBeChecked();
  await page.screenshot({ path: 'e2e/screenshots/settings-tier.png', fullPage: true });
});

test('a negative budget shows a specific error and leaves the stored budget unchanged', async ({ page, host }) => {
  await host.call('settings:set', { orchestrator: { monthly_budget: 5 } });
  await page.goto(`${host.url}/#/settings`);
  const budget = page.getByLabel('Monthly budget (USD)');
  await expect(budget).toHaveValue('5');
  await budget.fill('-3');
  await budget.press('Enter');
  await expect(page.getByTestId('budget-error')).toHaveText(/must be zero or more/);
  await expect(budget).toHaveAttribute('aria-invalid', 'true');
  const stored = await host.call<{ orchestrator: { monthly_budget: number | null } }>('settings:get');
  expect(stored.value?.orchestrator.monthly_budget).toBe(5);
  await page.screenshot({ path: 'e2e/screenshots/settings-budget-error.png', fullPage: true });

  await page.reload();
  await expect(page.getByLabel('Monthly budget (USD)')).toHaveValue('5');
});

test('the orchestrator toggle is stored', async ({ page, host }) => {
  await page.goto(`${host.url}/#/settings`);
  const toggle = page.getByRole('switch', { name: 'Choose models automatically' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect
    .poll(
      async () => (await host.call<{ orchestrator: { enabled: boolean } }>('settings:get')).value?.orchestrator.enabled,
    )
    .toBe(true);
});
