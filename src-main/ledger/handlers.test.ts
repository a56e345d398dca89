import { describe, expect, it } from 'vitest';
import { useTestApp } from '../../test/support/test-app';

const testApp = useTestApp();

describe('spend channels over the HTTP host', () => {
  it('spend:current reports an empty ledger as zeros, with the budget from settings', async () => {
    const { call, app } = await testApp.host();
    app.services.settings.set({ orchestrator: { monthly_budget: 2 } });
    const { body } = await call('spend:current');
    expect(body.value).toMatchObject({ spend_usd: 0, reserved_usd: 0, budget_usd: 2, remaining_usd: 2 });
    expect(body.value.month).toMatch(/^\d{4}-\d{2}$/);
  });
});
