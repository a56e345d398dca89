// The settings journey in the real Electron shell. Runs where an Electron binary and a display exist; elsewhere it
// is reported as skipped with the reason.
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { displayUnavailableReason, findElectronBinary } from '../scripts/electron-binary.mjs';

const binary = findElectronBinary();
const unavailable = 'reason' in binary ? binary.reason : displayUnavailableReason();

test.describe('Electron shell', () => {
  test.skip(unavailable !== null, `Electron e2e skipped: ${unavailable ?? ''}`);

  test('the tier survives a relaunch, a negative budget is refused, and the renderer has no Node', async () => {
    const executablePath = 'path' in binary ? binary.path : '';
    const userData = mkdtempSync(join(tmpdir(), 'quire-electron-'));
    const launch = () =>
      electron.launch({ executablePath, args: ['.'], env: { ...process.env, QUIRE_DATA_DIR: userData } });

    let app = await launch();
    let page = await app.firstWindow();
    // The app opens on the Workbench; the journey continues in Settings.
    await page.getByRole('link', { name: 'Settings' }).click();
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    await page.getByText('Best', { exact: true }).click();
    const budget = page.getByLabel('Monthly budget (USD)');
    await budget.fill('-1');
    await budget.press('Enter');
    await expect(page.getByTestId('budget-error')).toHaveText(/must be zero or more/);
    await app.close();

    app = await launch();
    page = await app.firstWindow();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('radio', { name: /^Best/ })).toBeChecked();
    await expect(page.getByLabel('Monthly budget (USD)')).toHaveValue('');
    await app.close();
  });
});
