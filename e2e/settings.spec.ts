import { test, expect } from './support/host';
import { openSettings } from './support/settings';
import { bytesText } from '../src-preload/contract/bytes-text';

test('the quality tier is saved and survives a reload', async ({ page, host }) => {
  await openSettings(page, host.url);
  const premium = page.getByRole('radio', { name: /^Best/ });
  await expect(page.getByRole('radio', { name: /Balanced/ })).toBeChecked();
  await page.getByText('Best', { exact: true }).click();
  await expect(premium).toBeChecked();
  await expect
    .poll(
      async () =>
        (await host.call<{ orchestrator: { quality_tier: string } }>('settings:get')).value?.orchestrator.quality_tier,
    )
    .toBe('premium');

  await page.reload();
  await expect(page.getByRole('radio', { name: /^Best/ })).toBeChecked();
  await page.screenshot({ path: 'e2e/screenshots/settings-tier.png', fullPage: true });
});

test('a negative budget shows a specific error and leaves the stored budget unchanged', async ({ page, host }) => {
  await host.call('settings:set', { orchestrator: { monthly_budget: 5 } });
  await openSettings(page, host.url);
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

  // A decimal comma is a decimal: "12,50" is $12.50 (it was once saved as $1,250); "1,250" could be either, so Quire
  // asks and keeps what was stored.
  const typed = page.getByLabel('Monthly budget (USD)');
  await typed.fill('12,50');
  await typed.press('Enter');
  await expect
    .poll(async () => (await host.call<typeof stored.value>('settings:get')).value?.orchestrator.monthly_budget)
    .toBe(12.5);
  await typed.fill('1,250');
  await typed.press('Enter');
  await expect(page.getByTestId('budget-error')).toHaveText(/could mean 1250 or 1\.25/);
  // A dot that groups thousands, as much of Europe writes "1.000": asked about too, never taken as $1.
  await typed.fill('1.000');
  await typed.press('Enter');
  await expect(page.getByTestId('budget-error')).toHaveText(/could mean 1000 or 1\b/);
  const kept = await host.call<typeof stored.value>('settings:get');
  expect(kept.value?.orchestrator.monthly_budget).toBe(12.5);
});

test('the orchestrator toggle is on from the start, and turning it off is stored', async ({ page, host }) => {
  await openSettings(page, host.url);
  const toggle = page.getByRole('switch', { name: 'Choose models automatically' });
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  await expect
    .poll(
      async () => (await host.call<{ orchestrator: { enabled: boolean } }>('settings:get')).value?.orchestrator.enabled,
    )
    .toBe(false);
});

test('local-model, run and tournament settings are kept across a reload; a refused value changes nothing', async ({
  page,
  host,
}) => {
  type Stored = {
    local: { memory_budget_mb: number | null; threads: number | null };
    tournament: { critical_tasks: string[]; num_models: number };
    runs: { timeout_s: number; first_token_floor_s: number };
  };
  const stored = async () => (await host.call<Stored>('settings:get')).value!;
  const machine = (await host.call<{ default_memory_budget_mb: number; default_threads: number }>('app:machine'))
    .value!;
  await openSettings(page, host.url);

  // The defaults are spelled out for this machine while the fields are empty.
  const memory = page.getByLabel('Memory for local models');
  await expect(memory).toHaveValue('');
  await expect(memory).toHaveAttribute(
    'placeholder',
    `Default: ${machine.default_memory_budget_mb.toLocaleString('en-US')}`,
  );
  // The same amount as the Models screen's "… allowed", in its units too (binary MB here, decimal GB there).
  await expect(page.locator('#memory-budget-help')).toContainText(
    `60 % of its memory; ${bytesText(machine.default_memory_budget_mb * 1024 * 1024)} as the Models screen counts it`,
  );
  await expect(page.getByLabel('Threads for local models')).toHaveAttribute(
    'placeholder',
    `Default: ${machine.default_threads}`,
  );
  // When a change takes effect, said where it is made: a task running on a model finishes as it started.
  await expect(page.locator('#memory-budget-help')).toContainText(
    'A change applies at once; a model running a task keeps its memory until the task ends.',
  );
  await expect(page.locator('#threads-help')).toContainText(
    'A change applies to each model when it is idle: a task running now finishes as it started.',
  );
  await expect(page.getByTestId('cache-hit-rate')).toHaveText('Cache hit rate: 0 %');
  // How long a cloud model may stay silent is the writer's to set, beside the whole call's timeout.
  const firstWord = page.getByLabel('Wait for a first word');
  await expect(firstWord).toHaveValue('4');
  await firstWord.fill('30');
  await firstWord.press('Enter');
  await expect.poll(async () => (await stored()).runs.first_token_floor_s).toBe(30);

  await memory.fill('2048');
  await memory.press('Enter');
  await expect.poll(async () => (await stored()).local.memory_budget_mb).toBe(2048);

  const tournaments = page.getByRole('region', { name: 'Tournaments' });
  await tournaments.getByRole('checkbox', { name: /Character consistency/ }).check();
  await tournaments.getByRole('checkbox', { name: /Theme analysis/ }).uncheck();
  await expect
    .poll(async () => (await stored()).tournament.critical_tasks)
    .toEqual(['continuity_check', 'character_consistency', 'beat_structure']);

  // Refused by the store: its message is shown at the field and nothing is saved.
  const models = page.getByLabel('Models per tournament');
  await models.fill('7');
  await models.press('Enter');
  await expect(page.getByTestId('tournament-models-error')).toHaveText('At most 5 models');
  await expect(models).toHaveAttribute('aria-invalid', 'true');
  await memory.fill('100');
  await memory.press('Enter');
  await expect(page.getByTestId('memory-budget-error')).toHaveText('Memory for local models must be at least 256 MB');
  const after = await stored();
  expect(after.local.memory_budget_mb).toBe(2048);
  expect(after.tournament.num_models).toBe(3);
  await page.getByRole('region', { name: 'Local models' }).screenshot({ path: 'e2e/screenshots/settings-local.png' });
  await page.getByRole('region', { name: 'Runs' }).screenshot({ path: 'e2e/screenshots/settings-runs.png' });
  await tournaments.screenshot({ path: 'e2e/screenshots/settings-tournaments.png' });

  await page.reload();
  await expect(page.getByLabel('Memory for local models')).toHaveValue('2048');
  await expect(page.getByLabel('Models per tournament')).toHaveValue('3');
  const reloaded = page.getByRole('region', { name: 'Tournaments' });
  await expect(reloaded.getByRole('checkbox', { name: /Character consistency/ })).toBeChecked();
  await expect(reloaded.getByRole('checkbox', { name: /Theme analysis/ })).not.toBeChecked();
  await expect(reloaded.getByRole('checkbox', { name: /Continuity check/ })).toBeChecked();
  await expect(page.getByTestId('memory-budget-error')).toHaveCount(0);
});

test('memory typed with its unit is asked for in megabytes; more threads than cores is accepted with a warning', async ({
  page,
  host,
}) => {
  const machine = (await host.call<{ cpus: number }>('app:machine')).value!;
  await openSettings(page, host.url);
  const memory = page.getByLabel('Memory for local models');
  await memory.fill('8 GB');
  await memory.press('Enter');
  await expect(page.getByTestId('memory-budget-error')).toHaveText('Enter a number of megabytes, like 8192 for 8 GB');

  const threads = page.getByLabel('Threads for local models');
  const warning = page.getByTestId('threads-warning');
  await threads.fill(String(machine.cpus));
  await threads.press('Enter');
  await expect
    .poll(async () => (await host.call<{ local: { threads: number } }>('settings:get')).value!.local.threads)
    .toBe(machine.cpus);
  await expect(warning).toHaveCount(0);
  await threads.fill(String(machine.cpus * 4));
  await threads.press('Enter');
  await expect(warning).toHaveText(
    `This computer has ${machine.cpus} cores: with ${machine.cpus * 4} threads, local models run much slower. ` +
      'Leave the field empty for the count measured on this machine.',
  );
  await page.reload();
  await expect(page.getByTestId('threads-warning')).toBeVisible();
});

test('a section link brings its heading into view just below the section bar, not under it', async ({ page, host }) => {
  await openSettings(page, host.url);
  // The tier cards above Budget have their plans (the last thing above it to change height).
  await expect(page.getByTestId('needs-premium')).toBeVisible();
  const bar = page.getByRole('navigation', { name: 'Settings sections' });
  await bar.getByRole('button', { name: 'Budget', exact: true }).click();
  const heading = page.locator('#budget-heading');
  // The scroll is smooth: polled until the heading stops just below the bar's bottom edge (it stopped under it).
  await expect
    .poll(async () => {
      const [b, h] = [await bar.boundingBox(), await heading.boundingBox()];
      if (!b || !h) return null;
      const gap = h.y - (b.y + b.height);
      return gap >= 4 && gap <= 40;
    })
    .toBe(true);
});

test('the section bar names every card of Settings, in the order they come', async ({ page, host }) => {
  await openSettings(page, host.url);
  const bar = page.getByRole('navigation', { name: 'Settings sections' });
  const cards = await page.locator('section.card > :is(h2, h3)[id]').allTextContents();
  expect(cards.length).toBeGreaterThan(5);
  expect(await bar.getByRole('button').allTextContents()).toEqual(cards.map((title) => title.trim()));
});

test('Shift+Tab never leaves the focused control hidden under the sticky section bar', async ({ page, host }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await openSettings(page, host.url);
  await expect(page.getByTestId('needs-premium')).toBeVisible();
  const bar = page.getByRole('navigation', { name: 'Settings sections' });
  // Each control is reached by Shift+Tab from the next control, with the page scrolled so that the control is in the
  // window but under the bar: the browser, seeing it in the window, left it there.
  for (const name of ['Reuse answers to identical requests', 'App name', 'OpenAI API key']) {
    const control = page.getByLabel(name, { exact: true });
    await control.evaluate((element: HTMLElement) => {
      const controls = [
        ...document.querySelectorAll<HTMLElement>('main input, main select, main button, main textarea, main a[href]'),
      ];
      const next = controls
        .slice(controls.indexOf(element) + 1)
        .find((item) => item.tabIndex >= 0 && !item.matches(':disabled') && !item.closest('nav'));
      window.scrollTo(0, window.scrollY + element.getBoundingClientRect().top - 4);
      next!.focus({ preventScroll: true });
    });
    await page.keyboard.press('Shift+Tab');
    await expect(control).toBeFocused();
    const [b, c] = [await bar.boundingBox(), await control.boundingBox()];
    expect(c!.y, name).toBeGreaterThanOrEqual(b!.y + b!.height);
  }
});

test('at a 900px-wide window Settings fits: no sideways scroll, no card clipped, key hints in full', async ({
  page,
  host,
}) => {
  // Keys set, so their rows have all three buttons (Save, Test, Remove): those rows were the widest.
  for (const [provider, key] of [
    ['openai', 'sk-e2e-fake-0000000000000000000000'],
    ['anthropic', 'sk-ant-e2e-fake-000000000000000000'],
  ]) {
    expect((await host.call('keys:set', { provider, api_key: key, allow_weak_storage: true })).ok).toBe(true);
  }
  await page.setViewportSize({ width: 900, height: 1000 });
  await openSettings(page, host.url);
  await expect(page.getByTestId('key-openai')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(900);
  const rights = await page
    .locator('main .card')
    .evaluateAll((cards) => cards.map((card) => card.getBoundingClientRect().right));
  expect(Math.max(...rights)).toBeLessThanOrEqual(900);
  // A placeholder wider than its box is cut off: measured in the input's own font.
  const cut = await page.locator('input[id^="key-input-"]').evaluateAll((inputs) =>
    (inputs as HTMLInputElement[])
      .filter((input) => {
        const style = getComputedStyle(input);
        const context = document.createElement('canvas').getContext('2d')!;
        context.font = `${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return context.measureText(input.placeholder).width > room;
      })
      .map((input) => input.placeholder),
  );
  expect(cut).toEqual([]);
  await page.getByRole('region', { name: 'API keys' }).screenshot({ path: 'e2e/screenshots/settings-keys-900.png' });
});

test('a writer with two cloud keys and a $1 budget sees what the budget steps down, and what removing a key changes', async ({
  page,
  host,
}) => {
  for (const [provider, key] of [
    ['deepseek', 'sk-e2e-deepseek-0000000000000000'],
    ['anthropic', 'sk-ant-e2e-anthropic-0000000000000'],
  ]) {
    expect((await host.call('keys:set', { provider, api_key: key, allow_weak_storage: true })).ok).toBe(true);
  }
  // A pack of the writer's own, copied from "All cheap": DeepSeek does most of its tasks.
  expect(
    (await host.call('packs:save', { name: 'night-desk', display_name: 'Night desk', copy_from: 'all-cheap' })).ok,
  ).toBe(true);
  await openSettings(page, host.url);
  // Best's month is dearer than $1: its card said "$5.27 / month" and nothing of the budget.
  const budget = page.getByLabel('Monthly budget (USD)');
  await budget.fill('1');
  await budget.press('Enter');
  await expect(page.getByTestId('estimate-premium')).toContainText('/ month within your budget');
  await expect(page.getByTestId('tier-budget-premium')).toContainText(
    /^Your \$1\.00 budget steps Best down: of \d+ runs a month, \d+ run as Best/,
  );
  // A month that fits the budget says nothing more.
  await expect(page.getByTestId('tier-budget-balanced')).toHaveCount(0);
  await page
    .getByRole('radiogroup', { name: 'Quality tier' })
    .screenshot({ path: 'e2e/screenshots/settings-tier-budget.png' });

  // Removing the DeepSeek key says what the writer's tier ran on it and where those tasks go.
  await page.getByTestId('key-deepseek').getByRole('button', { name: 'Remove' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove this key?' });
  await expect(dialog).toContainText(
    /Balanced, your tier, uses DeepSeek V3\.2 for \d+ tasks: without this key, \d+ move to Claude/,
  );
  await expect(dialog).toContainText('Past runs and spend stay.');
  await expect(dialog).not.toContainText('sk-e2e');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  // As a Best writer: Best's own picks are Claude, but its runs step down onto DeepSeek as the $1 budget runs low (the
  // dialog said "Best, your tier, does not use it", the budget aside). A pack of the writer's that maps tasks to
  // DeepSeek is named too (it was not), with the built-in pack in use.
  await page.getByText('Best', { exact: true }).click();
  await expect(page.getByRole('radio', { name: /^Best/ })).toBeChecked();
  await page.getByTestId('key-deepseek').getByRole('button', { name: 'Remove' }).click();
  await expect(dialog).toContainText(
    /Best, your tier, (uses Claude .* for \d+ tasks?: without this key, .*\. As your \$1\.00 budget runs low, it steps down to it for \d+ more tasks?|steps down to DeepSeek V3\.2 for \d+ tasks? as your \$1\.00 budget runs low): without this key/,
  );
  await expect(dialog).toContainText(
    /Your model packs “Mixed \(best per task\)” and “Night desk” use it for \d+ tasks/,
  );
  await dialog.screenshot({ path: 'e2e/screenshots/settings-remove-key-budget.png' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Balanced', { exact: true }).click();
  await expect(page.getByRole('radio', { name: /^Balanced/ })).toBeChecked();
  // Removing the Anthropic key: the tasks only Claude does here cannot run.
  await page.getByTestId('key-anthropic').getByRole('button', { name: 'Remove' }).click();
  await expect(dialog).toContainText(/uses Claude Haiku 4\.5 for 2 tasks: without this key, 2 cannot run \(Line edit/);
  await dialog.getByRole('button', { name: 'Remove key' }).click();
  await expect(page.getByTestId('key-status-anthropic')).toHaveText('No key yet');
});

test('at a $0 budget the per-task table shows what the budget allows, never a key to add for a refused pick', async ({
  page,
  host,
}) => {
  // Balanced and Best showed "Claude Opus 4.8 · Add an Anthropic key · $0.07" at a $0 budget, priced as if the budget
  // were open: once the key was added, every run of it would be refused. One cloud key (DeepSeek), as a writer has.
  const key = { provider: 'deepseek', api_key: 'sk-e2e-deepseek-0000000000000000', allow_weak_storage: true };
  expect((await host.call('keys:set', key)).ok).toBe(true);
  expect((await host.call('settings:set', { orchestrator: { monthly_budget: 0 } })).ok).toBe(true);
  await openSettings(page, host.url);
  const table = page.getByTestId('recommendations');
  await expect(table.getByTestId('rec-need')).not.toHaveCount(0);
  await expect(table.getByTestId('rec-need').filter({ hasText: /key$/ })).toHaveCount(0);
  for (const tier of ['balanced', 'premium']) {
    const cell = page.getByTestId(`rec-theme_analysis-${tier}`);
    await expect(cell.locator('.cost')).toHaveText(/^(\$0\.00)?$/);
    await expect(cell).toContainText(/To stay within the \$0\.00 left this month|Not within your budget/);
  }
  await table.screenshot({ path: 'e2e/screenshots/settings-recommendations-zero-budget.png' });
  // The cards beside it: a $0 budget is never "spent", and next month's is $0 too.
  const cards = page.getByRole('radiogroup', { name: 'Quality tier' });
  await expect(cards).not.toContainText('once it is spent');
  await expect(cards).toContainText(
    'With a $0.00 budget only free local models run: Best’s other runs cannot run until you raise the budget.',
  );
});
