// The writer lets another app use Quire: turns the gateway on in Settings, creates a token, copies it once (the app
// calls Quire with it), closes it (it is gone from the screen), then revokes it (the app is refused).
import { createServer } from 'node:net';
import { test as base, expect } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';
import { openSettings } from './support/settings';

/** A free loopback port for the gateway (never the documented default, which another run may be using). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const test = base.extend<{ host: RunningHost; gatewayPort: number }>({
  gatewayPort: async ({}, use) => use(await freePort()),
  host: async ({ gatewayPort }, use) => {
    const host = await startHost({ args: ['--gateway-port', String(gatewayPort)] });
    await use(host);
    await host.stop();
  },
});

test('turn the gateway on in Settings, create a token, copy it once, revoke it', async ({
  page,
  context,
  host,
  gatewayPort,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: host.url });
  const models = (token: string) =>
    fetch(`http://127.0.0.1:${gatewayPort}/v1/models`, { headers: { Authorization: `Bearer ${token}` } })
      .then((r) => r.status)
      .catch(() => 'closed');
  expect(await models('quire-anything')).toBe('closed');

  await openSettings(page, host.url);
  const toggle = page.getByRole('switch', { name: 'Let other apps use Quire' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(page.getByTestId('gateway-status')).toContainText(`http://127.0.0.1:${gatewayPort}/v1`);
  // Anthropic's SDK adds /v1 itself: given the URL above, it would ask for /v1/v1/messages.
  await expect(page.getByTestId('gateway-status')).toContainText(
    `an app on Anthropic's SDK, which adds /v1 itself: http://127.0.0.1:${gatewayPort})`,
  );

  // An Obsidian plugin calls from Obsidian's own origin: the writer adds it. A pasted page address is refused with
  // what is wrong with it, and taken once it is the origin alone.
  const origins = page.getByLabel(/^Web apps allowed to call Quire/);
  await origins.fill('app://obsidian.md\nhttps://App.Example.com/write');
  await page.getByRole('button', { name: 'Save web apps' }).click();
  await expect(page.getByRole('alert')).toContainText(
    '"https://App.Example.com/write" has a path (/write); an origin is the scheme, host and port only: https://app.example.com.',
  );
  await expect(origins).toHaveAttribute('aria-invalid', 'true');
  await origins.fill('app://obsidian.md\nhttps://App.Example.com');
  await page.getByRole('button', { name: 'Save web apps' }).click();
  await expect(origins).toHaveValue('app://obsidian.md\nhttps://app.example.com');
  await expect(page.getByRole('alert')).toHaveCount(0);

  // The app name is drawn like every other text field (it had no type, so the app's input style missed it).
  const style = (label: string) =>
    page.getByLabel(label).evaluate((input) => {
      const { borderRadius, borderColor, backgroundColor, paddingLeft } = getComputedStyle(input);
      return { borderRadius, borderColor, backgroundColor, paddingLeft };
    });
  expect(await style('App name')).toEqual(await style('Monthly cap (USD, optional)'));
  await page.getByLabel('App name').fill('Obsidian');
  await page.getByLabel('Monthly cap (USD, optional)').fill('3');
  // From the keyboard: the new token, the thing to copy next, takes the focus.
  await page.getByRole('button', { name: 'Create token' }).press('Enter');
  const shown = page.getByLabel('New access token');
  await expect(shown).toHaveValue(/^quire-/);
  await expect(shown).toBeFocused();
  const token = await shown.inputValue();
  // What to type in the app's own settings, beside the token: the address, and a model name a writer could not guess.
  await expect(page.getByTestId('gateway-app-settings')).toHaveText(
    `In Obsidian's settings: the base URL http://127.0.0.1:${gatewayPort}/v1 (an app on Anthropic's SDK: http://127.0.0.1:${gatewayPort}), this token as the API key, and quire/auto as the model (Quire picks one for your tier and budget; an app that lists models offers the other names).`,
  );
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  // The section alone: the whole Settings page is several thousand pixels tall, too small to read at a glance.
  await page
    .getByRole('region', { name: 'Let other apps use Quire' })
    .screenshot({ path: 'e2e/screenshots/gateway-token.png' });
  expect(await models(token)).toBe(200);

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByLabel('New access token')).toHaveCount(0);
  await expect(page.getByTestId('gateway-tokens')).toContainText('Obsidian');
  await expect(page.getByTestId('gateway-tokens')).toContainText('of $3.00');
  expect(await page.content()).not.toContain(token);
  await page.reload();
  await expect(page.getByTestId('gateway-tokens')).toContainText('Obsidian');
  expect(await page.content()).not.toContain(token);

  // The app's cap changes in place (the app keeps its token): raised to $5 and kept to local models.
  await page.getByRole('button', { name: 'Change limits for Obsidian' }).click();
  const capField = page.getByLabel('Monthly cap (USD, empty for none)');
  await expect(capField).toHaveValue('3');
  await capField.fill('5');
  await page.getByRole('checkbox', { name: 'Local models only' }).first().check();
  await page.getByRole('button', { name: 'Save limits' }).press('Enter');
  await expect(page.getByTestId('gateway-tokens')).toContainText('of $5.00 · local models only');
  await expect(page.getByRole('button', { name: 'Change limits for Obsidian' })).toBeFocused();
  expect(await models(token)).toBe(200);

  // Asked first: the app will need a new token.
  await page.getByRole('button', { name: 'Revoke Obsidian' }).press('Enter');
  const asked = page.getByRole('dialog', { name: "Revoke this app's access?" });
  await expect(asked).toContainText('“Obsidian” can no longer use Quire');
  await asked.getByRole('button', { name: 'Cancel' }).press('Enter');
  expect(await models(token)).toBe(200);
  await page.getByRole('button', { name: 'Revoke Obsidian' }).press('Enter');
  await asked.getByRole('button', { name: 'Revoke access' }).press('Enter');
  await expect(page.getByText('No app has a token yet.')).toBeVisible();
  await expect(page.getByLabel('App name')).toBeFocused();
  expect(await models(token)).toBe(401);
});

test('an app’s monthly cap is read as the budget is: a decimal comma is cents, a mistyped amount is refused', async ({
  page,
  host,
}) => {
  await openSettings(page, host.url);
  await page.getByRole('switch', { name: 'Let other apps use Quire' }).check();
  await expect(page.getByTestId('gateway-status')).toContainText('Apps use the base URL');
  const cap = page.getByLabel('Monthly cap (USD, optional)');
  const capOf = async (name: string) =>
    (await host.call<{ tokens: { name: string; monthly_cap_usd: number | null }[] }>('gateway:get')).value?.tokens.find(
      (token) => token.name === name,
    )?.monthly_cap_usd;

  // Typed key by key, as a writer does: a number field dropped the comma and read "12,50" as $1,250.
  await page.getByLabel('App name').fill('Obsidian');
  await cap.pressSequentially('12,50');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('gateway-tokens')).toContainText('of $12.50');
  expect(await capOf('Obsidian')).toBe(12.5);

  // Not an amount: said at the field, and no token is made (a number field saw it as empty: an app with no cap).
  await page.getByLabel('App name').fill('Scrivener');
  await cap.pressSequentially('5-');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('gateway-cap-error')).toHaveText('Enter an amount in US dollars, like 5 or 12.50');
  await expect(cap).toHaveAttribute('aria-invalid', 'true');
  expect(await capOf('Scrivener')).toBeUndefined();
  await cap.fill('$5');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('gateway-cap-error')).toHaveCount(0);
  expect(await capOf('Scrivener')).toBe(5);

  // Changing an app's cap reads it the same way, and shows the stored cap as it was typed.
  await page.getByRole('button', { name: 'Change limits for Obsidian' }).click();
  const limit = page.getByLabel('Monthly cap (USD, empty for none)');
  await expect(limit).toHaveValue('12.5');
  await limit.fill('');
  await limit.pressSequentially('7,25');
  await page.getByRole('button', { name: 'Save limits' }).click();
  await expect(page.getByTestId('gateway-tokens')).toContainText('of $7.25');
  expect(await capOf('Obsidian')).toBe(7.25);
});
