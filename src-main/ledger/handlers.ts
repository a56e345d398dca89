import type { SpendCurrent } from '../../src-preload/contract';
import { roundUsd } from '../orchestrator/estimate';
import type { SpendSource } from '../orchestrator/sources';
import type { HandlerMap } from '../transport/dispatcher';
import type { Ledger } from './ledger';
import type { CsvNames } from './spend-report';

export interface LedgerHandlerDeps {
  ledger: SpendSource & Pick<Ledger, 'month' | 'exportCsv'>;
  /** The writer's monthly budget (settings), null for none. */
  budgetUsd: () => number | null;
  now: () => Date;
  /** What the CSV calls each task and model: the names the Spend screen shows. */
  names: CsvNames;
}

export function ledgerHandlers({
  ledger,
  budgetUsd,
  now,
  names,
}: LedgerHandlerDeps): Pick<HandlerMap, 'spend:current' | 'spend:month' | 'spend:export'> {
  return {
    'spend:current': () => spendCurrent(ledger, budgetUsd(), now()),
    'spend:month': ({ month }) => ledger.month(month),
    'spend:export': ({ month }) => ledger.exportCsv(month, names),
  };
}

/** This month's spend and holds against the budget, as the header and the decision see them. */
export function spendCurrent(spend: SpendSource, budget: number | null, now: Date): SpendCurrent {
  const snapshot = spend.snapshot(now);
  return {
    month: snapshot.month,
    spend_usd: roundUsd(snapshot.spent_usd),
    reserved_usd: roundUsd(snapshot.reserved_usd),
    budget_usd: budget,
    remaining_usd: budget === null ? null : roundUsd(Math.max(0, budget - snapshot.spent_usd - snapshot.reserved_usd)),
  };
}
