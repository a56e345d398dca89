// A Playwright test with a fresh host and a loopback fake LLM server per test (the host's traffic is pointed at the
// fake by the test itself).
import { expect } from '@playwright/test';
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { test as hostTest, type RunningHost } from './host';

export const test = hostTest.extend<{ fake: FakeLlmServer }>({
  fake: async ({}, use) => {
    const fake = await startFakeLlmServer({ port: 0 });
    await use(fake);
    await fake.close();
  },
});

/**
 * Saves a custom endpoint "fake" on the fake server with one model, "writer" (quality 9, good at thematic analysis
 * unless other strengths are given), priced in USD per million tokens.
 */
export async function addFakeWriter(
  host: RunningHost,
  fake: FakeLlmServer,
  usdPerMtok: { input: number; output: number },
  strengths: string[] = ['thematic_analysis'],
): Promise<void> {
  const saved = await host.call('providers:save', {
    id: 'fake',
    kind: 'openai-compatible',
    base_url: fake.openaiBaseUrl,
    models: [
      {
        id: 'writer',
        display_name: 'Fake Writer',
        quality: 9,
        strengths,
        input_usd_per_mtok: usdPerMtok.input,
        output_usd_per_mtok: usdPerMtok.output,
      },
    ],
  });
  expect(saved.ok).toBe(true);
}

/** The fake writer at $1 / $2 per million tokens, with first-run setup done: the Workbench opens ready to run. */
export async function writerReady(host: RunningHost, fake: FakeLlmServer): Promise<void> {
  await addFakeWriter(host, fake, { input: 1, output: 2 });
  await host.call('settings:set', { setup: { done: true } });
}

export { expect };
