// Mistakes a writer can make in Settings: each shows a message that says what is wrong, and nothing is changed.
import { closedPort } from '../test/support/self-signed-server';
import { expect, test, writerReady } from './support/fake-host';
import { decisionSettled } from './support/workbench';
import { openSettings } from './support/settings';

test('an invalid budget, a bad API key and an unreachable endpoint each say what is wrong and change nothing', async ({
  page,
  host,
  fake,
}) => {
  await host.call('settings:set', { orchestrator: { monthly_budget: 5 } });
  // OpenAI's traffic goes to the loopback fake, which refuses every key.
  await host.call('providers:save', { id: 'openai', base_url: fake.openaiBaseUrl, builtin: true });
  fake.script('__models__', { alwaysFault: { kind: 'status', status: 401, message: 'Incorrect API key provided' } });
  await openSettings(page, host.url);

  // 1. A budget over the limit.
  const budget = page.getByLabel('Monthly budget (USD)');
  await budget.fill('2000000');
  await budget.press('Enter');
  await expect(page.getByTestId('budget-error')).toHaveText(/at most \$1,000,000/);
  expect(
    (await host.call<{ orchestrator: { monthly_budget: number } }>('settings:get')).value?.orchestrator.monthly_budget,
  ).toBe(5);

  // 2a. Something that is not a key at all.
  const key = page.getByLabel('OpenAI API key');
  await key.fill('oops');
  await page.getByTestId('key-openai').getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('key-feedback-openai')).toContainText('does not look like an OpenAI API key');
  // 2b. A key the provider refuses.
  await key.fill('sk-e2e-wrong-key-0000');
  await page.getByTestId('key-openai').getByRole('button', { name: 'Save' }).click();
  // The provider is named once: it read "The key was not saved: OpenAI refused it — OpenAI refused the API key…".
  await expect(page.getByTestId('key-feedback-openai')).toContainText(
    'The key was not saved: OpenAI refused the API key (HTTP 401).',
  );
  await expect(page.getByTestId('key-feedback-openai')).not.toContainText('refused it');
  // The provider said no: nothing offers to store the key anyway.
  await expect(
    page.getByTestId('key-feedback-openai').getByRole('button', { name: 'Save without testing' }),
  ).toHaveCount(0);
  await expect(page.getByTestId('key-status-openai')).toHaveText('No key yet');
  // The browser host also reads a key from the environment: said on a line of its own.
  await expect(page.getByTestId('key-env-openai')).toHaveText(
    'Or set OPENAI_API_KEY in the environment before you start the browser host.',
  );
  const keys = await host.call<{ keys: { provider: string; configured: boolean }[] }>('keys:status');
  expect(keys.value?.keys.find((item) => item.provider === 'openai')?.configured).toBe(false);

  // 3. An endpoint nobody is listening on.
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  // A name it cannot be saved under is said as it is typed, not after Save.
  await page.getByLabel('Endpoint id').fill('My Studio');
  await expect(page.getByTestId('endpoint-id-problem')).toHaveText(
    'Use small letters, digits, - and _ only, with no spaces (for example “lm-studio”).',
  );
  await page.getByLabel('Endpoint id').fill('studio');
  await expect(page.getByTestId('endpoint-id-problem')).toHaveCount(0);
  // Ollama not started yet: nothing listens at its address.
  const port = await closedPort();
  await page.getByLabel('Base URL').fill(`http://127.0.0.1:${port}/v1`);
  await page.getByLabel('Model id').fill('writer-model');
  // From the keyboard: the button stays focused while Quire connects, and after (it was dropped to the page).
  await page.getByRole('button', { name: 'Test and add' }).focus();
  await page.keyboard.press('Enter');
  const failure = page.getByTestId('endpoint-error');
  await expect(failure).toContainText(`Nothing answers at 127.0.0.1:${port}. Start the server (open Ollama`);
  await expect(page.getByRole('button', { name: 'Test and add' })).toBeFocused();
  await expect(failure).toContainText('Nothing was saved, and what you typed is kept');
  // A second try says the same once, not twice; the address typed stays.
  await page.getByRole('button', { name: 'Test and add' }).click();
  await expect(failure).toHaveCount(1);
  await expect(failure.getByText(/Nothing answers at/)).toHaveCount(1);
  expect((await failure.innerText()).match(/is it running|is running/g)).toHaveLength(1);
  await expect(page.getByLabel('Base URL')).toHaveValue(`http://127.0.0.1:${port}/v1`);
  const providers = await host.call<{ providers: { id: string; type: string }[] }>('providers:list');
  expect(providers.value?.providers.filter((provider) => provider.type === 'custom')).toEqual([]);

  await page.setViewportSize({ width: 1280, height: 1750 });
  await page.getByRole('heading', { name: 'Budget' }).evaluate((heading) => heading.scrollIntoView());
  await page.screenshot({ path: 'e2e/screenshots/errors-settings.png' });
});

test('a key the provider accepts is kept, shown only by its last 4 characters, tested and removed', async ({
  page,
  host,
  fake,
}) => {
  await host.call('providers:save', { id: 'openai', base_url: fake.openaiBaseUrl, builtin: true });
  await openSettings(page, host.url);
  const row = page.getByTestId('key-openai');
  // All from the keyboard: focus stays on the control pressed while it works (it used to drop to the page), and
  // goes back to the key field when the saved key empties it or its Remove button goes away.
  const input = page.getByLabel('OpenAI API key');
  await input.fill('sk-e2e-good-key-7777');
  await row.getByRole('button', { name: 'Save' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('key-feedback-openai')).toContainText('Key saved.');
  await expect(page.getByTestId('key-status-openai')).toContainText('Key ••••7777');
  await expect(input).toHaveValue('');
  await expect(input).toBeFocused();
  // The full key never reaches the page.
  expect(await page.content()).not.toContain('sk-e2e-good-key-7777');
  await row.getByRole('button', { name: 'Test' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('key-feedback-openai')).toContainText('accepted');
  await expect(row.getByRole('button', { name: 'Test' })).toBeFocused();
  // Removing a stored key asks first; Escape keeps it, and the focus goes back to Remove.
  await row.getByRole('button', { name: 'Remove' }).focus();
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: 'Remove this key?' });
  await expect(confirm).toContainText('Quire forgets your OpenAI key (••••7777)');
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId('key-status-openai')).toContainText('Key ••••7777');
  await expect(row.getByRole('button', { name: 'Remove' })).toBeFocused();
  await page.keyboard.press('Enter');
  await confirm.getByRole('button', { name: 'Remove key' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('key-status-openai')).toHaveText('No key yet');
  // The browser host also reads a key from the environment: said on a line of its own.
  await expect(page.getByTestId('key-env-openai')).toHaveText(
    'Or set OPENAI_API_KEY in the environment before you start the browser host.',
  );
  await expect(input).toBeFocused();
  const keys = await host.call<{ keys: { provider: string; configured: boolean }[] }>('keys:status');
  expect(keys.value?.keys.find((item) => item.provider === 'openai')?.configured).toBe(false);
});

test('a reachable endpoint is added, edited and deleted', async ({ page, host, fake }) => {
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  await page.getByLabel('Endpoint id').fill('studio');
  await page.getByLabel('Base URL').fill(fake.openaiBaseUrl);
  await page.getByLabel('Model id').fill('writer-model');
  await page.getByLabel('Display name').fill('Studio Writer');
  await page.getByRole('button', { name: 'Test and add' }).focus();
  await page.keyboard.press('Enter');
  const list = page.getByTestId('endpoints');
  await expect(list).toContainText('studio');
  // Its model by the name the writer gave it, not its id.
  await expect(list).toContainText('Studio Writer');
  await expect(list).not.toContainText('writer-model');
  // The form closed under the keyboard's focus: it goes to the button that took the form's place.
  await expect(page.getByRole('button', { name: 'Add an endpoint' })).toBeFocused();
  const capabilities = await host.call<{ models: { id: string; available: boolean }[] }>('orchestrator:capabilities');
  expect(capabilities.value?.models.find((model) => model.id === 'studio/writer-model')?.available).toBe(true);

  await list.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Add another model' }).click();
  await page.getByLabel('Model id').nth(1).fill('editor-model');
  await page.getByRole('button', { name: 'Test and save' }).focus();
  await page.keyboard.press('Enter');
  await expect(list).toContainText('Studio Writer, editor-model');
  // An edit hands focus back to the Edit button that opened it.
  await expect(list.getByRole('button', { name: 'Edit' })).toBeFocused();

  // A pack of the writer's maps a task to it: deleting the endpoint says so before it happens.
  const pack = await host.call('packs:save', {
    name: 'studio-pack',
    display_name: 'Studio pack',
    copy_from: 'mixed',
    tasks: { line_edit: 'studio/editor-model' },
  });
  expect(pack.ok).toBe(true);
  await page.reload();
  await openSettings(page, host.url);
  await page.getByTestId('endpoints').getByRole('button', { name: 'Delete studio', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this endpoint?' });
  // Named in the quotation marks the rest of the app uses.
  await expect(dialog).toContainText('“studio” and its models will be removed from Quire, with its stored key.');
  await expect(dialog).toContainText(
    'Your model pack “Studio pack” uses it for 1 task; until you edit the pack, Quire runs it on a local model if one is ' +
      'installed, and otherwise cannot run it.',
  );
  await dialog.getByRole('button', { name: 'Delete endpoint' }).press('Enter');
  await expect(page.getByTestId('endpoints')).toHaveCount(0);
  // Its Delete button went with it: the focus lands on "Add an endpoint", not on the page.
  await expect(page.getByRole('button', { name: 'Add an endpoint' })).toBeFocused();
  const providers = await host.call<{ providers: { type: string }[] }>('providers:list');
  expect(providers.value?.providers.filter((provider) => provider.type === 'custom')).toEqual([]);
});

test('a provider that keeps failing is shown as paused, and the writer can try it again', async ({
  page,
  host,
  fake,
}) => {
  await host.call('providers:save', { id: 'openai', base_url: fake.openaiBaseUrl, builtin: true });
  expect((await host.call('keys:set', { provider: 'openai', api_key: 'sk-e2e-good-key-7777' })).ok).toBe(true);
  fake.script('gpt-4o-mini', { alwaysFault: { kind: 'status', status: 500, message: 'upstream exploded' } });
  await openSettings(page, host.url);
  await expect(page.getByTestId('key-status-openai')).toContainText('Key ••••7777');

  for (let i = 0; i < 5; i += 1) {
    const run = await host.call('runs:start', {
      task: 'line_edit',
      input: 'She said it twice, which was once too often.',
      model: 'gpt-4o-mini',
      max_output_tokens: 50,
    });
    expect(run.error?.code).toBe('provider_error');
  }
  // Pushed by providers:health; the page was not reloaded.
  const paused = page.getByTestId('key-health-openai');
  await expect(paused).toContainText('Quire paused OpenAI after 5 failed calls');
  await expect(paused).toContainText('OpenAI had a problem on its side (HTTP 500)');
  // The sidebar names it as the writer knows it, not by its id.
  await expect(page.getByText('Quire paused OpenAI', { exact: true })).toBeVisible();
  await paused.evaluate((element) => element.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: 'e2e/screenshots/provider-paused.png' });

  await paused.getByRole('button', { name: 'Try it now' }).click();
  await expect(paused).toHaveCount(0);
  const health = await host.call<{ providers: { provider: string; state: string }[] }>('providers:health');
  // A reset forgets the breaker: it is listed as closed, or not at all.
  expect(health.value?.providers.find((provider) => provider.provider === 'openai')?.state ?? 'closed').toBe('closed');

  // A failed run reopened from the history names the model it tried, not "None available", and says what happened.
  await page.goto(`${host.url}/#/workbench`);
  await page.getByTestId('run-history').getByRole('button').first().click();
  await expect(page.getByTestId('run-status')).toHaveText('failed');
  await expect(page.getByTestId('run-facts')).toContainText('Models tried');
  await expect(page.getByTestId('run-model')).toHaveText(/GPT-4o mini/i);
  await expect(page.getByTestId('run-tokens')).toHaveText('not reported');
  await expect(page.getByTestId('run-output')).toHaveText('No answer came back.');
  await expect(page.getByTestId('run-history').getByRole('button').first()).toContainText('no answer');
});

test('an answer Quire cannot read, even after asking once more, is said once with its own next step', async ({
  page,
  host,
  fake,
}) => {
  await writerReady(host, fake);
  // Unscripted, the fake answers "ok" in prose where the task asks for its findings as JSON, and again when asked once
  // more with what was wrong.
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill('The storm took the boats, and the harbour forgot them.');
  await page.getByLabel('Task', { exact: true }).selectOption('theme_analysis');
  await decisionSettled(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const notice = page.getByRole('alert').filter({ hasText: 'did not answer in the form Quire asked for' });
  await expect(notice).toContainText(
    'Its answer was not used, so nothing changed. Try again, or choose another model.',
  );
  // No general provider advice after it: the key is not the problem.
  await expect(notice).not.toContainText('check the key');
  await expect(page.getByTestId('run-status')).toHaveText('failed');
  await expect(page.getByTestId('run-unused')).toHaveText(
    'What Fake Writer answered, which Quire could not read; it was not used:',
  );
  await expect(page.getByTestId('run-output')).toHaveText('ok');
  // Both calls were charged by the tokens the provider reported (10 in, 1 out each).
  await expect(page.getByTestId('run-tokens')).toContainText('20 / 2');
  // The first call is listed as what it was: an answer that could not be read, so the model was asked once more.
  await page.getByText('Attempts', { exact: true }).click();
  await expect(page.getByTestId('run-attempts').getByRole('listitem').first()).toContainText(
    'Fake Writer: failed — Its answer could not be read (it answered in prose, or its answer broke off), so Quire ' +
      'asked it once more.',
  );
  expect(fake.requests).toHaveLength(2);
});

test('a run whose provider refuses its key says so in words, with the step and a button to Settings', async ({
  page,
  host,
  fake,
}) => {
  await writerReady(host, fake);
  fake.script('writer', { alwaysFault: { kind: 'status', status: 401, message: 'Incorrect API key provided' } });
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill('The storm took the boats, and the harbour forgot them.');
  await page.getByLabel('Task', { exact: true }).selectOption('theme_analysis');
  await decisionSettled(page);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const notice = page.getByRole('alert').filter({ hasText: 'refused the API key' });
  await expect(notice).toContainText(
    'Your endpoint “fake” refused the API key Quire has for it: it may be mistyped, revoked or expired. Check the key ' +
      'for your endpoint “fake” in Settings → AI Intelligence, or pick another model.',
  );
  await expect(notice).not.toContainText('HTTP');
  await notice.getByRole('button', { name: 'Open Settings' }).click();
  await expect(page).toHaveURL(/#\/settings$/);

  // Reopened from the history after a reload, the run says the same: its own step, no general one, the button.
  await page.goto(`${host.url}/#/workbench`);
  await page.reload();
  await page.getByTestId('run-history').getByRole('button').first().click();
  const reopened = page.getByRole('alert').filter({ hasText: 'refused the API key' });
  await expect(reopened).toContainText('or pick another model.');
  await expect(reopened).not.toContainText('Try again, or pick another model.');
  await reopened.getByRole('button', { name: 'Open Settings' }).click();
  await expect(page).toHaveURL(/#\/settings$/);
});
