// A tournament as a Markdown report a writer can show an editor, as a run's report is (tasks/report.ts, whose parts
// it shares): what they asked, the decision and how far the models agreed on it, the verifier and the judge, and what
// each model answered at what cost. Models by their names; the tournament's id only in a footer, for support.
import { joinAnd } from '../../src-preload/contract/list-text';
import type { RunAnswer } from '../../src-preload/contract/tasks';
import type { AgreementStatus, Tournament, TournamentMember } from '../../src-preload/contract/tournaments';
import { usdText } from '../../src-preload/contract/usd-text';
import { answerLines, quoteLine, readableDate, reportFilename, requestLines, type ReportNames } from '../tasks/report';

const STATUS_TEXT: Record<Tournament['status'], string> = {
  running: 'still running',
  done: 'finished',
  failed: 'failed',
};

const AGREEMENT_TEXT: Record<AgreementStatus, string> = {
  consensus: 'All or most of the models found this (consensus).',
  disputed: 'Only a minority of the models found this (disputed).',
  contradicted: 'The models assert opposite things here (contradicted).',
};

const ORDER: AgreementStatus[] = ['consensus', 'disputed', 'contradicted'];

const percent = (x: number) => `${Math.round(x * 100)}%`;

/**
 * `answerOf`: a member's answer as its own run stored it (its findings with their quotes located), null when there is
 * none; its raw text stands in then. `timeZone`: an IANA name; undefined is the process's own.
 */
export function tournamentReport(
  t: Tournament,
  names: ReportNames,
  answerOf: (member: TournamentMember) => RunAnswer | null,
  timeZone?: string,
): { markdown: string; filename: string } {
  // The name the tournament recorded, unless it was only the model's id (the registry's name is better then).
  const nameOf = (id: string) => {
    const member = t.members.find((m) => m.model_id === id);
    return member && member.display_name !== id ? member.display_name : names.modelName(id);
  };
  const at = new Date(t.created_at);
  const task = names.taskName(t.task);
  const what =
    t.mode === 'verification' ? 'answer checked by a second model' : `tournament of ${t.members.length} models`;
  const lines = [`# ${task}: ${what}`, ''];
  const ended = !t.error
    ? STATUS_TEXT[t.status]
    : t.error.code === 'cancelled'
      ? `stopped. ${t.error.message}`
      : `failed: ${t.error.message}`;
  lines.push(`- Status: ${ended}`);
  lines.push(`- Models: ${joinAnd(t.members.map((m) => nameOf(m.model_id)))}`);
  lines.push(`- Cost: ${usdText(t.cost_usd)} in all (each model's below)`);
  lines.push(`- Date: ${readableDate(at, timeZone)}`);
  if (t.confidence) lines.push(`- Confidence in the result: ${percent(t.confidence.value)}`);
  for (const note of t.notes) lines.push(`- Note: ${note}`);
  lines.push('');
  if (t.request) lines.push(...requestLines(t.request));

  lines.push('## The decision', '');
  if (t.kind === 'findings') lines.push(...findingLines(t, nameOf));
  else if (t.winner) lines.push(`Preferred answer: ${nameOf(t.winner)}'s.`, '');
  else if (t.status === 'done') lines.push('No answer was preferred: read each below and pick the one you prefer.', '');
  if (t.verification) lines.push(...verificationLines(t.verification, nameOf));
  if (t.judging) lines.push(...judgeLines(t, t.judging, nameOf));

  lines.push('## What each model answered', '');
  for (const member of t.members) lines.push(...memberLines(t, member, nameOf, answerOf, names.taskName));

  const markdown = `${lines.join('\n').trimEnd()}\n\n---\n\n*For support: tournament ${t.id}*\n`;
  return { markdown, filename: reportFilename(`${task} tournament`, at, timeZone) };
}

function findingLines(t: Tournament, nameOf: (id: string) => string): string[] {
  if (t.status !== 'done') return [];
  if (t.findings.length === 0) return ['No model reported anything to fix in this passage.', ''];
  const ordered = ORDER.flatMap((status) => t.findings.filter((f) => f.status === status));
  return ordered.flatMap((f, i) => {
    const who = [`Found by ${joinAnd(f.supporters.map(nameOf))}.`];
    if (f.opposers.length > 0) who.push(`${joinAnd(f.opposers.map(nameOf))} said the opposite.`);
    if (f.silent.length > 0) who.push(`Not mentioned by ${joinAnd(f.silent.map(nameOf))}.`);
    // One model answered a verification: its findings are its own, not a consensus of one.
    const agreement =
      t.mode === 'verification'
        ? `Found by ${joinAnd(f.supporters.map(nameOf))}, the model that answered.`
        : `${AGREEMENT_TEXT[f.status]} ${who.join(' ')}`;
    return [
      `### ${i + 1}. ${f.claim}`,
      '',
      agreement,
      '',
      `Severity: ${f.severity}. Confidence: ${percent(f.confidence.value)}.`,
      '',
      ...f.evidence.map(quoteLine),
      ...(f.suggestion ? ['', `Suggestion: ${f.suggestion}`] : []),
      '',
      `Your verdict: ${f.resolution ?? 'not given yet'}.`,
      '',
    ];
  });
}

function verificationLines(v: NonNullable<Tournament['verification']>, nameOf: (id: string) => string): string[] {
  const verifier = nameOf(v.verifier_model_id);
  if (v.verdict === null) return [`${verifier} was to check the answer and gave no verdict.`, ''];
  const verdict = v.verdict === 'approve' ? 'approved it' : 'rejected it, which lowers its confidence';
  if (v.issues.length === 0) return [`${verifier} checked the answer and ${verdict}.`, ''];
  return [`${verifier} checked the answer and ${verdict}:`, '', ...v.issues.map((issue) => `- ${issue}`), ''];
}

function judgeLines(
  t: Tournament,
  judging: NonNullable<Tournament['judging']>,
  nameOf: (id: string) => string,
): string[] {
  // The judge's calls are the tournament's cost beyond its members'.
  const judgeUsd = Math.max(0, t.cost_usd - t.members.reduce((sum, m) => sum + m.cost_usd, 0));
  return [
    '### The judge',
    '',
    `${nameOf(judging.judge_model_id)} compared every pair of answers in both orders and agreed with itself ` +
      `${percent(judging.consistency)} of the time; its comparisons cost ${usdText(judgeUsd)}.`,
    '',
    ...judging.ranking.map((r, i) => `${i + 1}. ${nameOf(r.model_id)}: ${r.wins} of ${r.pairs} comparisons won`),
    '',
  ];
}

const ROLE_TEXT: Record<TournamentMember['role'], string> = {
  member: '',
  primary: ' (its answer was checked)',
  verifier: ' (verifier)',
};

function memberLines(
  t: Tournament,
  member: TournamentMember,
  nameOf: (id: string) => string,
  answerOf: (member: TournamentMember) => RunAnswer | null,
  taskName: (id: string) => string,
): string[] {
  const state =
    member.status === 'done'
      ? 'Answered'
      : member.status === 'failed'
        ? `Left out: ${member.error?.message ?? 'it failed'}`
        : 'Still answering';
  const tokens =
    member.input_tokens !== null && member.output_tokens !== null
      ? ` · ${member.input_tokens.toLocaleString('en-US')} tokens read, ${member.output_tokens.toLocaleString('en-US')} written`
      : '';
  const lines = [`### ${nameOf(member.model_id)}${ROLE_TEXT[member.role]}`, ''];
  lines.push(`- ${state} · cost ${usdText(member.cost_usd)}${tokens}`);
  if (t.winner === member.model_id) lines.push('- The preferred answer');
  lines.push('');
  if (member.role === 'verifier') {
    if (member.status === 'done') lines.push('Its review is in the decision above.', '');
    return lines;
  }
  if (member.status !== 'done') return lines;
  const answer = answerOf(member);
  // One level below the member's heading: the answer's own headings ("## 1. …") become "#### 1. …".
  if (answer) lines.push(...answerLines(answer, taskName, undefined).map((line) => line.replace(/^## /, '#### ')));
  else lines.push(member.text);
  if (lines.at(-1) !== '') lines.push('');
  return lines;
}
