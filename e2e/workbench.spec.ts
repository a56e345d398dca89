// Workbench: a passage run on the local fixture model, with the decision and quote shown first, the answer streamed,
// its actual cost and latency, a rating that is stored, and the run reopened from the history.
import { expect, test } from '@playwright/test';
import { tinyLlamaFixture } from '../src-main/local/fixtures/tiny-llama';
import { startHost, type RunningHost } from './support/host';

let host: RunningHost;

test.use({ viewport: { width: 1280, height: 1200 } });
test.beforeEach(async () => {
  host = await startHost();
});
test.afterEach(async () => host.stop());

test('a task runs on the local fixture with streamed output, then is rated and reopened', async ({ page }) => {
  test.setTimeout(150_000);
  const imported = await host.call<{ id: string; registry_model_id: string }>('models:import', {
    path: tinyLlamaFixture(),
    name: 'Story fixture',
  });
  expect(imported.ok).toBe(true);
  const modelId = imported.value!.registry_model_id;

  // Count the streamed deltas the page receives over the event stream.
  await page.addInitScript(() => {
    const original = window.EventSource;
    (window as unknown as { tokenEvents: number }).tokenEvents = 0;
    window.EventSource = class extends original {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('message', (event) => {
          if ((event as MessageEvent<string>).data.includes('"run:token"'))
            (window as unknown as { tokenEvents: number }).tokenEvents += 1;
        });
      }
    } as typeof EventSource;
  });

  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: 'Passage' }).fill('The tide went out and did not come back. Mara counted the boats twice.');
  await page.getByLabel('Task', { exact: true }).selectOption('brainstorm');
  await page.getByLabel('Model', { exact: true }).selectOption(modelId);
  await expect(page.getByTestId('decision-model')).toHaveText('Story fixture');
  await expect(page.getByTestId('decision')).toContainText('The model you picked');
  await expect(page.getByTestId('decision-quote')).toHaveText('$0.00');
  await expect(page.getByTestId('decision-why')).not.toBeEmpty();

  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Running…' })).toBeDisabled();
  // Two shared cores: the tiny model takes a while to load and write 1,200 tokens.
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 80_000 });
  await expect(page.getByTestId('run-output')).not.toBeEmpty();
  expect(await page.evaluate(() => (window as unknown as { tokenEvents: number }).tokenEvents)).toBeGreaterThan(1);
  await expect(page.getByTestId('run-model')).toHaveText('Story fixture');
  await expect(page.getByTestId('run-cost')).toHaveText('$0.00');
  await expect(page.getByTestId('run-latency')).toHaveText(/\d+(\.\d)? m?s/);

  await page.getByRole('radio', { name: '4 of 5' }).check();
  await expect(page.getByTestId('rating-status')).toHaveText('Rated 4 of 5 — thank you.');
  const runs = await host.call<{ runs: { run_id: string; rating: number | null }[] }>('runs:list');
  expect(runs.value?.runs).toHaveLength(1);
  expect(runs.value?.runs[0]?.rating).toBe(8);

  await expect(page.getByTestId('run-history')).toContainText('Brainstorm');
  await expect(page.getByTestId('run-history')).toContainText('★4');
  await page.screenshot({ path: 'e2e/screenshots/workbench-run.png' });

  // Reopen after a reload: the output, cost and rating come back from the history.
  await page.reload();
  await page.getByTestId('run-history').getByRole('button').first().click();
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(page.getByTestId('run-output')).not.toBeEmpty();
  await expect(page.getByTestId('rating-status')).toHaveText('Rated 4 of 5 — thank you.');
});
