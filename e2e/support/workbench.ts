import { expect, type Page } from '@playwright/test';

/**
 * Waits until the card above Run answers what the Workbench now shows: the decision (for `outputTokens` answer
 * tokens, when given) and the quote have both landed. The card changes height as they land, moving the Run button
 * and the tournament's Members list below it; a click aimed before that can land on the wrong line.
 */
export async function decisionSettled(page: Page, outputTokens?: number): Promise<void> {
  if (outputTokens !== undefined) {
    await expect(page.getByTestId('decision')).toContainText(`up to ${outputTokens.toLocaleString('en-US')} out`);
  }
  await expect(page.getByTestId('decision-area')).toHaveAttribute('aria-busy', 'false');
}

/** Opens the History's run whose entry's name matches `name` (its task, its request…). */
export async function openFromHistory(page: Page, name: RegExp): Promise<void> {
  await page.getByTestId('run-history').getByRole('button', { name }).click();
}
