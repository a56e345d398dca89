// A Playwright test with a fresh host and a loopback fake LLM server per test (the host's traffic is pointed at the
// fake by the test itself).
import { startFakeLlmServer, type FakeLlmServer } from '../../test/support/fake-llm-server';
import { test as hostTest } from './host';

export const test = hostTest.extend<{ fake: FakeLlmServer }>({
  fake: async ({}, use) => {
    const fake = await startFakeLlmServer({ port: 0 });
    await use(fake);
    await fake.close();
  },
});

export { expect } from '@playwright/test';
