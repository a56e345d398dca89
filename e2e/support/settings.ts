import { expect, type Page } from '@playwright/test';

/**
 * Opens Settings and waits until it has what it loads. The tier costs and the per-task table arrive together and push
 * every section below them down the page (API keys, endpoints, the gateway…): a click aimed before that lands on
 * whatever moved under the pointer (a CI run clicked "Save" for a key and opened the per-task table instead).
 */
export async function openSettings(page: Page, hostUrl: string): Promise<void> {
  await page.goto(`${hostUrl}/#/settings`);
  await expect(page.getByTestId('recommendations')).toBeAttached();
  await expect(page.locator('[aria-busy="true"]')).toHaveCount(0);
}
