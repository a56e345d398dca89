// What a run's calls came to, summed from its ledger rows: the tokens and cost an app is told its call used (the
// gateway's usage), so they are the ledger's own figures — every call the run made, not the answering one's alone.
import type { RunCharge } from '../store/repos/ledger-repo';
import { toUsd } from '../store/money';

export interface RunSpend {
  /** Every call's charge, USD. */
  costUsd: number;
  /** The tokens the providers reported, every call's (a call reported without counts adds none). */
  inputTokens: number;
  outputTokens: number;
  /** Of costUsd: what calls without token counts were charged (their reservation, the most they could have cost). */
  uncountedUsd: number;
}

export function runSpend(rows: readonly RunCharge[]): RunSpend {
  let charged = 0;
  let uncounted = 0;
  let input = 0;
  let output = 0;
  for (const row of rows) {
    // Counted as the month counts it: a call still open, or left open by a crash, at its hold.
    const micros =
      row.state === 'reserved' || row.state === 'orphaned' ? row.reserved_micros : (row.charged_micros ?? 0);
    charged += micros;
    if (row.input_tokens === null && row.output_tokens === null) uncounted += micros;
    input += row.input_tokens ?? 0;
    output += row.output_tokens ?? 0;
  }
  return { costUsd: toUsd(charged), inputTokens: input, outputTokens: output, uncountedUsd: toUsd(uncounted) };
}
