// Which pushed events become native notifications, and their words. Pure, so the text is tested without Electron.
import type { EventPayload, PushedEvent } from '../../src-preload/contract';
import { usdText } from '../../src-preload/contract/usd-text';

export interface NotificationText {
  title: string;
  body: string;
}

/** "2026-11" → "November 2026"; anything else is shown as given. */
function monthName(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return month;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return date.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

function spendAlert({ month, threshold, spent_usd, budget_usd }: EventPayload<'spend:alert'>): NotificationText {
  const spent = `${usdText(spent_usd)} of your ${usdText(budget_usd)} budget spent in ${monthName(month)}.`;
  if (threshold >= 100) {
    return {
      title: 'Monthly budget reached',
      body: `${spent} Quire will not start cloud runs that would go over it; local models keep working.`,
    };
  }
  return { title: `${threshold}% of this month's budget used`, body: spent };
}

/**
 * The notification for an event, or null for events that do not warrant interrupting the writer. `modelName` turns a
 * model's id into the name the writer knows it by.
 */
export function notificationFor(
  event: PushedEvent,
  modelName: (id: string) => string = (id) => id,
): NotificationText | null {
  switch (event.name) {
    case 'spend:alert':
      return spendAlert(event.payload as EventPayload<'spend:alert'>);
    case 'spend:overrun': {
      const { model_id, reserved_usd, charged_usd } = event.payload as EventPayload<'spend:overrun'>;
      return {
        title: 'A call cost more than Quire held for it',
        body: `${modelName(model_id)} charged ${usdText(charged_usd)} where ${usdText(reserved_usd)} was held. It counts against this month's budget.`,
      };
    }
    case 'download:done': {
      const { name } = event.payload as EventPayload<'download:done'>;
      return { title: 'Model downloaded', body: `${name} is ready to use on this Mac.` };
    }
    default:
      return null;
  }
}
