// A local server's endpoint as its docs say to add it (Ollama's key is "ollama"), with its models fetched from the
// server rather than typed; and the Spend screen's line on what routing was worth this month.
import { findingsAnswer } from '../test/support/findings-answer';
import { addFakeWriter, expect, test } from './support/fake-host';
import { decisionSettled } from './support/workbench';
import { openSettings } from './support/settings';

const PASSAGE =
  '# Chapter 3\n\nMara pushed the hair from her green eyes.\n\n# Chapter 12\n\nShe turned, her blue eyes flashed.';

test.use({ viewport: { width: 1280, height: 1200 } });
// Each journey starts a host and builds plans; on a loaded 2-core machine that alone can take most of a minute.
test.describe.configure({ timeout: 150_000 });

test('an endpoint with the key "ollama" is accepted, and Fetch models lists the server’s models to pick from', async ({
  page,
  host,
  fake,
}) => {
  fake.script('llama3.1:8b', { text: 'Fine.' });
  fake.script('qwen2.5:7b', { text: 'Fine.' });
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  await page.getByLabel('Endpoint id').fill('ollama');
  // Priced at $0 (the form's default) on an internet address, a model's calls would count as free: said at once.
  await page.getByLabel('Base URL').fill('https://gateway.example.com/v1');
  await page.getByLabel('Model id').first().fill('mystery');
  await expect(page.getByTestId('endpoint-free-note')).toContainText(
    '“mystery” is priced at $0, so Quire will count its calls as free',
  );
  await page
    .getByRole('group', { name: 'Models it serves' })
    .screenshot({ path: 'e2e/screenshots/endpoint-free-note.png' });
  // On this computer it is the writer's own server: free is right, nothing to say.
  await page.getByLabel('Base URL').fill(fake.openaiBaseUrl);
  await expect(page.getByTestId('endpoint-free-note')).toHaveCount(0);
  await page.getByLabel('Model id').first().fill('');
  await page.getByLabel(/^API key \(optional/).fill('ollama');
  await page.getByRole('button', { name: 'Fetch models' }).click();
  const listed = page.getByTestId('listed-models');
  await expect(listed).toContainText('llama3.1:8b');
  await expect(listed).toContainText('qwen2.5:7b');
  await listed.getByLabel('qwen2.5:7b').check();
  await expect(page.getByLabel('Model id').first()).toHaveValue('qwen2.5:7b');
  // Unticked, the only model goes from "Models it serves" too (its box was left empty while it stayed, to be saved).
  await listed.getByLabel('qwen2.5:7b').uncheck();
  await expect(page.getByLabel('Model id')).toHaveCount(1);
  await expect(page.getByLabel('Model id').first()).toHaveValue('');
  await listed.getByLabel('qwen2.5:7b').check();
  await expect(page.getByLabel('Model id').first()).toHaveValue('qwen2.5:7b');
  // Ollama's list says nothing of context sizes: the field stays empty, Quire's default.
  await expect(page.getByLabel('Context (tokens)').first()).toHaveValue('');
  // A fetched model claims nothing until the writer judges it, and the form says what that means for routing.
  const use = page.getByTestId('endpoint-model-use');
  await expect(use).toHaveText(
    'Quire will not choose it on its own until you tick what it is good at and rate it 6 or more. You can still pick ' +
      'it in the Workbench or a model pack.',
  );
  await page.getByText(/^Good at \(0 of 7\)/).click();
  await page.getByLabel('Prose style').check();
  await page.getByLabel('Quality (0–10)').fill('7');
  await expect(use).toContainText('Quire will use this for: ');
  await expect(use).toContainText('Line edit');
  await expect(use).toContainText('It is free, so Lowest cost and Balanced pick it for these before any paid model.');
  await page.getByTestId('endpoint-model-use').screenshot({ path: 'e2e/screenshots/endpoint-model-use.png' });
  const weak = page.getByText('Store this key in a private file on this computer');
  if (await weak.isVisible()) await weak.click();
  await page.getByRole('button', { name: 'Test and add' }).click();
  await expect
    .poll(async () => {
      const list = await host.call<{ providers: { id: string; key_configured: boolean; models: { id: string }[] }[] }>(
        'providers:list',
      );
      return list.value?.providers.find((p) => p.id === 'ollama');
    })
    .toMatchObject({ key_configured: true, models: [{ id: 'qwen2.5:7b', quality: 7, strengths: ['prose_style'] }] });
  const asked = fake.requests.filter((r) => r.model === '__models__');
  expect(asked.every((r) => r.headers.authorization === 'Bearer ollama')).toBe(true);
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('Fetch models fills in the context size a vLLM server reports for the model ticked, and it is saved', async ({
  page,
  host,
  fake,
}) => {
  fake.script('Qwen/Qwen2.5-7B-Instruct', { text: 'Fine.', listed: { owned_by: 'vllm', max_model_len: 16_384 } });
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  const form = page.getByRole('form', { name: 'Add an endpoint' });
  await form.getByLabel('Endpoint id').fill('vllm');
  await form.getByLabel('Base URL').fill(fake.openaiBaseUrl);
  await form.getByRole('button', { name: 'Fetch models' }).click();
  await form.getByTestId('listed-models').getByLabel('Qwen/Qwen2.5-7B-Instruct').check();
  await expect(form.getByLabel('Context (tokens)')).toHaveValue('16,384');
  await form.getByRole('button', { name: 'Test and add' }).click();
  await expect(form).toHaveCount(0);
  const capabilities = await host.call<{ models: { id: string; context_window: number }[] }>(
    'orchestrator:capabilities',
  );
  expect(capabilities.value?.models.find((model) => model.id === 'vllm/Qwen/Qwen2.5-7B-Instruct')?.context_window).toBe(
    16_384,
  );
});

test('a test that fails saves nothing: an edit’s refused new key leaves the old key, a new endpoint’s leaves none', async ({
  page,
  host,
  fake,
}) => {
  type Listed = { providers: { id: string; key_configured: boolean; key_last4: string | null }[] };
  const entry = async (id: string) =>
    (await host.call<Listed>('providers:list')).value?.providers.find((p) => p.id === id);
  fake.script('m1', { text: 'Fine.' });
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  const added = page.getByRole('form', { name: 'Add an endpoint' });
  await added.getByLabel('Endpoint id').fill('lab');
  await added.getByLabel('Base URL').fill(fake.openaiBaseUrl);
  await added.getByLabel(/^API key \(optional/).fill('lab-key-first-AAAA');
  await added.getByLabel('Model id').first().fill('m1');
  await added.getByRole('button', { name: 'Test and add' }).click();
  await expect(added).toHaveCount(0);
  await expect.poll(() => entry('lab')).toMatchObject({ key_configured: true, key_last4: 'AAAA' });

  // The server refuses the new key: the endpoint keeps the key it had, as the form says.
  fake.script('__models__', { faults: [{ kind: 'status', status: 401, message: 'invalid api key' }] });
  await page.getByTestId('endpoints').getByRole('button', { name: 'Edit lab' }).click();
  const edited = page.getByRole('form', { name: 'Edit endpoint lab' });
  await edited.getByLabel(/^API key \(optional/).fill('lab-key-second-BBBB');
  await edited.getByRole('button', { name: 'Test and save' }).click();
  await expect(page.getByTestId('endpoint-error')).toBeVisible();
  expect(await entry('lab')).toMatchObject({ key_configured: true, key_last4: 'AAAA' });
  await expect(page.getByTestId('endpoint-error')).toContainText('refused the API key (HTTP 401)');
  await expect(page.getByTestId('endpoint-error')).toContainText('Nothing was saved. Check the key');
  await edited.getByRole('button', { name: 'Cancel' }).click();

  // A new endpoint whose first test fails leaves no endpoint and no key behind.
  fake.script('__models__', { faults: [{ kind: 'status', status: 401, message: 'invalid api key' }] });
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  await added.getByLabel('Endpoint id').fill('fresh');
  await added.getByLabel('Base URL').fill(fake.openaiBaseUrl);
  await added.getByLabel(/^API key \(optional/).fill('fresh-key-CCCC');
  await added.getByLabel('Model id').first().fill('m1');
  await added.getByRole('button', { name: 'Test and add' }).click();
  await expect(page.getByTestId('endpoint-error')).toContainText('Nothing was saved');
  expect(await entry('fresh')).toBeUndefined();
  const keyless = await host.call('providers:save', {
    id: 'fresh',
    kind: 'openai-compatible',
    base_url: fake.openaiBaseUrl,
    models: [{ id: 'm1', quality: 6, strengths: [], input_usd_per_mtok: 0, output_usd_per_mtok: 0 }],
  });
  expect(keyless).toMatchObject({ ok: true, value: { key_configured: false } });
});

test('editing an endpoint’s price keeps its models’ context sizes and image support, and a cleared size goes back to the default', async ({
  page,
  host,
  fake,
}) => {
  type Listed = { providers: { id: string; models: Record<string, unknown>[] }[] };
  const stored = async () =>
    (await host.call<Listed>('providers:list')).value?.providers.find((p) => p.id === 'lab')?.models;
  const saved = await host.call('providers:save', {
    id: 'lab',
    kind: 'openai-compatible',
    base_url: fake.openaiBaseUrl,
    models: [
      {
        id: 'llava',
        quality: 7,
        strengths: ['thematic_analysis'],
        input_usd_per_mtok: 0,
        output_usd_per_mtok: 0,
        context_window: 131_072,
        vision: true,
      },
    ],
  });
  expect(saved.ok).toBe(true);
  await openSettings(page, host.url);
  const list = page.getByTestId('endpoints');
  await list.getByRole('button', { name: 'Edit lab' }).click();
  const form = page.getByRole('form', { name: 'Edit endpoint lab' });
  await form.getByLabel('$ / M input').fill('0.5');
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expect(form).toHaveCount(0);
  await expect.poll(stored).toEqual([
    {
      id: 'llava',
      quality: 7,
      strengths: ['thematic_analysis'],
      input_usd_per_mtok: 0.5,
      output_usd_per_mtok: 0,
      context_window: 131_072,
      vision: true,
    },
  ]);

  // The form shows both, and emptying the size deliberately hands the model back to Quire's default.
  await list.getByRole('button', { name: 'Edit lab' }).click();
  await expect(form.getByLabel('Context (tokens)')).toHaveValue('131,072');
  await expect(form.getByLabel('Context (tokens)')).toHaveAttribute('placeholder', '32,768');
  await expect(form.getByLabel('Sees images')).toBeChecked();
  await form.screenshot({ path: 'e2e/screenshots/endpoint-model-context.png' });
  // A size that is not a number stops the save and says how to type it.
  await form.getByLabel('Context (tokens)').fill('128k');
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expect(form.getByTestId('endpoint-models-error')).toHaveText(
    "The context size of model 1 (“llava”) is not a whole number of tokens: type digits only, like 8192 or 131,072, or leave it empty for Quire's default of 32,768.",
  );
  await form.getByLabel('Context (tokens)').fill('');
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expect(form).toHaveCount(0);
  await expect.poll(async () => (await stored())?.[0]).not.toHaveProperty('context_window');
  const capabilities = await host.call<{ models: { id: string; context_window: number }[] }>(
    'orchestrator:capabilities',
  );
  expect(capabilities.value?.models.find((model) => model.id === 'lab/llava')?.context_window).toBe(32_768);
});

test('Spend shows what Quire’s own picks cost beside always-premium and always-cheapest, the writer’s own apart', async ({
  page,
  host,
  fake,
}) => {
  // A cheap custom model: 1,000 in + 500 out at $0.10 / $0.20 per million tokens is $0.0002 a run.
  await addFakeWriter(host, fake, { input: 0.1, output: 0.2 });
  // Theme analysis answers findings (the task library's contract for analysis tasks).
  const findings = findingsAnswer('The storm stands for the grief no one names.', 'beneath the storm', 'low');
  fake.script('writer', { text: JSON.stringify(findings), inputTokens: 1000, outputTokens: 500 });
  // One run Quire routes (no model named: it picks the fake writer), one the writer pins to the same model.
  for (const model of [undefined, 'fake/writer']) {
    const run = await host.call<{ status: string; model_id: string }>('runs:start', {
      task: 'theme_analysis',
      input: 'What is this chapter about, beneath the storm?',
      ...(model ? { model } : {}),
      max_output_tokens: 500,
    });
    expect(run.value).toMatchObject({ status: 'completed', model_id: 'fake/writer' });
  }
  const value = await host.call<{
    calls: number;
    actual_usd: number;
    premium_usd: number;
    cheapest_usd: number;
    writer_picks: { calls: number; spend_usd: number };
  }>('spend:routing_value', { month: new Date().toISOString().slice(0, 7) });
  // Only Quire's pick is compared; the pinned run is said apart.
  expect(value.value?.calls).toBe(1);
  expect(value.value?.actual_usd).toBeCloseTo(0.0002, 6);
  expect(value.value?.writer_picks.calls).toBe(1);
  expect(value.value?.writer_picks.spend_usd).toBeCloseTo(0.0002, 6);
  expect(value.value!.premium_usd).toBeGreaterThan(value.value!.actual_usd);

  await page.goto(`${host.url}/#/spend`);
  const line = page.getByTestId('routing-value-line');
  await expect(line).toContainText("Quire's own picks (1 model call) cost $0.0002");
  await expect(line).toContainText('than always the premium pick');
  await expect(line).toContainText('always the cheapest capable model would have cost');
  await expect(line).toContainText('Your own choices of model (1 model call, $0.0002) are not counted.');
  await expect(page.getByTestId('routing-value-chart')).toBeVisible();
  await page.getByTestId('routing-value').screenshot({ path: 'e2e/screenshots/routing-value.png' });
});

test('Ask Quire waits for the writer’s words, sends them with the passage, and runs the step it suggests with them', async ({
  page,
  host,
  fake,
}) => {
  await addFakeWriter(host, fake, { input: 0.1, output: 0.2 });
  const words = 'Does Mara’s eye colour stay the same all the way through?';
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Ask Quire' });
  await page.getByLabel('Model', { exact: true }).selectOption('fake/writer');
  await expect(page.getByTestId('task-description')).toContainText('Tell Quire what you want in your own words');
  await expect(page.getByTestId('request-needed')).toHaveText('Say what you want in your own words first.');
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();

  // The field shows an example of what to ask, from the task library.
  await expect(page.getByLabel('What do you want to know or do?')).toHaveAttribute(
    'placeholder',
    /^In your own words, e\.g\. “Does Mara’s eye colour/,
  );
  await page.getByLabel('What do you want to know or do?').fill(words);
  await expect(page.getByTestId('request-needed')).toHaveCount(0);
  await decisionSettled(page);
  fake.script('writer', {
    json: { steps: [{ task: 'continuity_check', target: 'the whole manuscript', why: 'It compares the chapters.' }] },
  });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const step = page.getByTestId('route-step');
  await expect(step).toContainText('Continuity check on the whole manuscript: It compares the chapters.');
  await page.screenshot({ path: 'e2e/screenshots/workbench-ask.png', fullPage: true });
  // A suggestion is not something several models can agree on: no tournament is offered for it.
  await expect(page.getByRole('button', { name: 'Run as tournament' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run this as a tournament' })).toHaveCount(0);

  // The suggested check runs on the same passage, and the writer's words go with it.
  fake.script('writer', { json: findingsAnswer('Mara’s eyes change colour.', 'her blue eyes') });
  await step.getByRole('button', { name: 'Run Continuity check' }).click();
  await expect(page.getByText('Mara’s eyes change colour.').first()).toBeVisible();
  const userMessages = fake.requests.map(
    (r) =>
      (r.body as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content,
  );
  expect(userMessages).toHaveLength(2);
  for (const user of userMessages) expect(user).toContain(`The writer's request:\n${words}`);
  // Nor is it among the tasks Settings offers to run as tournaments.
  await openSettings(page, host.url);
  const critical = page.getByRole('group', { name: 'Critical tasks' });
  await expect(critical.getByRole('checkbox', { name: 'Continuity check' })).toBeVisible();
  await expect(critical.getByRole('checkbox', { name: 'Ask Quire' })).toHaveCount(0);
});

test('a suggested step says which chapter it runs on, sends only that, and the card above Run then answers for its task', async ({
  page,
  host,
  fake,
}) => {
  // Good at what Ask Quire and a continuity check need, so Quire chooses it for both and says why.
  await addFakeWriter(host, fake, { input: 0.1, output: 0.2 }, ['semantic_reasoning', 'narrative_continuity']);
  await page.goto(`${host.url}/#/workbench`);
  await page.getByRole('textbox', { name: /Passage/ }).fill(PASSAGE);
  await page.getByLabel('Task', { exact: true }).selectOption({ label: 'Ask Quire' });
  await page.getByLabel('What do you want to know or do?').fill('Are her eyes the same colour all the way through?');
  await decisionSettled(page);
  const card = page.getByTestId('decision');
  await expect(card).toContainText('for Ask Quire');
  fake.script('writer', {
    json: { steps: [{ task: 'continuity_check', target: 'Chapter 12', why: 'Her eyes are blue there.' }] },
  });
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const step = page.getByTestId('route-step');
  await expect(step).toContainText('Continuity check on Chapter 12: Her eyes are blue there.');
  await expect(step.getByTestId('route-step-part')).toHaveText('Runs on Chapter 12 only, not the whole passage.');
  await step.screenshot({ path: 'e2e/screenshots/workbench-ask-step.png' });

  fake.script('writer', { json: findingsAnswer('Mara’s eyes are blue here.', 'her blue eyes') });
  await step.getByRole('button', { name: 'Run Continuity check' }).click();
  await expect(page.getByText('Mara’s eyes are blue here.').first()).toBeVisible();
  await expect(page.getByTestId('run-part')).toHaveText('Ran on Chapter 12 only, not the whole passage.');
  const sent = (fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] }).messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
  expect(sent).toContain('her blue eyes');
  expect(sent).not.toContain('green eyes');

  // The task on screen is now the step's: the card above Run answers for it, not for Ask Quire.
  await expect(page.getByLabel('Task', { exact: true })).toHaveValue('continuity_check');
  await expect(card).toContainText('for Continuity check');
  await expect(card).not.toContainText('Ask Quire');
  await decisionSettled(page);
  await page.screenshot({ path: 'e2e/screenshots/workbench-ask-step-ran.png', fullPage: true });
});

test('a server listing 300 models is searched by name, and a ticked one stays in view', async ({
  page,
  host,
  fake,
}) => {
  // A gateway's 300 models were 300 checkboxes in a wall, with no way to find one.
  for (let i = 0; i < 300; i++) fake.script(`model-${String(i).padStart(3, '0')}:q4`, { text: 'ok' });
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  const form = page.getByRole('form', { name: 'Add an endpoint' });
  await form.getByLabel('Endpoint id').fill('gateway');
  await form.getByLabel('Base URL').fill(fake.openaiBaseUrl);
  await form.getByRole('button', { name: 'Fetch models' }).click();
  const listed = form.getByTestId('listed-models');
  await expect(listed.getByRole('checkbox')).toHaveCount(300);
  await listed.getByLabel('Find a model (300 listed)').fill('model-12');
  await expect(listed.getByRole('checkbox')).toHaveCount(10);
  await listed.getByLabel('model-123:q4').check();
  await listed.getByLabel('Find a model (300 listed)').fill('model-29');
  await expect(listed.getByRole('checkbox')).toHaveCount(11);
  await expect(listed.getByLabel('model-123:q4')).toBeChecked();
  await listed.getByLabel('Find a model (300 listed)').fill('mistral');
  await expect(listed).toContainText('No model’s name holds “mistral”');
  await expect(form.getByLabel('Model id').first()).toHaveValue('model-123:q4');
  await listed.getByLabel('Find a model (300 listed)').fill('');
  await form.screenshot({ path: 'e2e/screenshots/endpoint-300-models.png' });
});

test('an endpoint is renamed in place: its id, models and settings stay, and the tier table names it anew', async ({
  page,
  host,
  fake,
}) => {
  const saved = await host.call('providers:save', {
    id: 'ollama',
    kind: 'openai-compatible',
    base_url: fake.openaiBaseUrl,
    models: [
      {
        id: 'writer',
        quality: 9,
        strengths: ['thematic_analysis'],
        input_usd_per_mtok: 0,
        output_usd_per_mtok: 0,
        context_window: 65_536,
      },
    ],
  });
  expect(saved.ok).toBe(true);
  await host.call('settings:set', { setup: { done: true } });
  await openSettings(page, host.url);
  await expect(page.getByTestId('recommendations')).toContainText('writer (ollama)');
  const list = page.getByTestId('endpoints');
  await list.getByRole('button', { name: 'Edit ollama' }).click();
  const form = page.getByRole('form', { name: 'Edit endpoint ollama' });
  await form.getByLabel('Name', { exact: true }).fill('Ollama on my Mac');
  await form.getByRole('button', { name: 'Test and save' }).click();
  await expect(form).toHaveCount(0);
  await expect(list).toContainText('Ollama on my Mac');
  await expect(page.getByTestId('recommendations')).toContainText('writer (Ollama on my Mac)');
  const listed = await host.call<{ providers: { id: string; name: string; models: { context_window?: number }[] }[] }>(
    'providers:list',
  );
  expect(listed.value?.providers.filter((p) => p.name === 'Ollama on my Mac')).toMatchObject([
    { id: 'ollama', models: [{ context_window: 65_536 }] },
  ]);
  await list.screenshot({ path: 'e2e/screenshots/endpoint-renamed.png' });
});

test('a model id the endpoint already has is said as it is typed, in curly quotes, before Save', async ({
  page,
  host,
}) => {
  await openSettings(page, host.url);
  await page.getByRole('button', { name: 'Add an endpoint' }).click();
  const form = page.getByRole('form', { name: 'Add an endpoint' });
  await form.getByLabel('Model id').first().fill('writer');
  await form.getByRole('button', { name: 'Add another model' }).click();
  await form.getByLabel('Model id').nth(1).fill('writer');
  // Said at once, under the row that repeats it (it was the host's `Model "writer" is listed twice`, after Save).
  await expect(form.getByTestId('model-id-problem')).toHaveText(
    'This endpoint already has a model “writer”: give this one another id, or remove it.',
  );
  await expect(form.getByLabel('Model id').nth(1)).toHaveAttribute('aria-invalid', 'true');
  await form.getByTestId('model-id-problem').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'e2e/screenshots/endpoint-model-taken.png' });
  await form.getByLabel('Model id').nth(1).fill('editor');
  await expect(form.getByTestId('model-id-problem')).toHaveCount(0);
});
