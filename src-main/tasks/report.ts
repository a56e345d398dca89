// A run's answer as a Markdown report a writer can keep beside the manuscript: findings with their quotes and where
// Quire found them (or that it did not), edits with their reasons, summaries, ideas, the route, or the prose. It reads
// as the Workbench shows the run: the model by its name, the date in the writer's time zone, confidence by the
// screen's own rule; the run's id only in a footer, for support.
import { confidenceText, findingConfidenceText } from '../../src-preload/contract/confidence-text';
import type { RunRecord } from '../../src-preload/contract/runs';
import { tournamentOfRun } from '../../src-preload/contract/tournaments';
import { fallbackText, runStatusText } from '../../src-preload/contract/run-status-text';
import { partialAnswer, stoppedText } from '../../src-preload/contract/partial-answer';
import {
  QUOTE_NOT_FOUND,
  type AnchoredEdit,
  type LocatedQuote,
  type RunAnswer,
} from '../../src-preload/contract/tasks';
import { usdText } from '../../src-preload/contract/usd-text';
import { calendarFor } from '../ledger/calendar';

/**
 * What the report names: a task by its id (the run's own, the checks Ask Quire suggests) and a model by its id (its
 * display name, or what it was once removed), as the Workbench names them.
 */
export interface ReportNames {
  taskName: (id: string) => string;
  /** `knownAs`: the name a model removed since was known by (the run's `model_name`). */
  modelName: (id: string, knownAs?: string | null) => string;
}

/**
 * What the writer chose in the Workbench: the edits they rejected, by their place in the answer (the rest they
 * accepted). Undefined when the report cannot know, and the edits are then only proposed.
 */
export interface ReportChoices {
  rejectedEdits?: readonly number[] | undefined;
  /**
   * An edit answer's own passage with its edits applied (those not rejected; every one that can be when the choices are
   * not known) and how many were: the text to paste back, at the end of the report.
   */
  edited?: { text: string; edits: number } | undefined;
}

/** `timeZone`: an IANA name; undefined is the process's own (the writer's, on their Mac). */
export function runReport(
  run: RunRecord,
  names: ReportNames,
  timeZone?: string,
  choices: ReportChoices = {},
): { markdown: string; filename: string } {
  const at = new Date(run.created_at);
  const lines: string[] = [`# ${names.taskName(run.task)}`, ''];
  lines.push(`- Model: ${run.model_id ? names.modelName(run.model_id, run.model_name) : 'none'}`);
  if (tournamentOfRun(run.run_id)) lines.push('- Part of: a tournament, where other models answered the same request');
  lines.push(`- Status: ${runStatusText(run)}`);
  lines.push(`- Cost: ${usdText(run.cost_usd)}`);
  lines.push(`- Date: ${readableDate(at, timeZone)}`);
  const confidence = confidenceText(run);
  if (confidence) lines.push(`- Confidence in the whole answer: ${confidence}`);
  const fellBack = fallbackText(run, names.modelName);
  if (fellBack) lines.push(`- Fell back: ${fellBack}`);
  if (run.truncated) lines.push('- Note: the answer reached its length limit and may be incomplete.');
  for (const notice of run.answer?.notices ?? []) lines.push(`- Note: ${notice}`);
  if (run.answer?.kind === 'edits' && run.answer.edits.length > 0 && choices.rejectedEdits)
    lines.push(`- Your choices: ${choicesText(run.answer.edits, choices.rejectedEdits)}`);
  lines.push('');
  // What the writer asked for, as they wrote it: a brainstorm's or a scene's answer means little without it.
  if (run.request) lines.push(...requestLines(run.request));
  if (run.answer) lines.push(...answerLines(run.answer, names.taskName, choices.rejectedEdits));
  else if (run.text && run.status === 'failed') {
    // The last answer it could not read: said, so the report is not taken for a result (the Result says the same).
    const model = run.model_id ? names.modelName(run.model_id, run.model_name) : 'The model';
    if (run.error) lines.push(`No answer: ${run.error.message}`, '');
    lines.push(`What ${model} answered, which Quire could not read; it was not used:`, '', run.text);
  } else if (run.text) lines.push(...stoppedLines(run.text));
  else lines.push(run.error ? `No answer: ${run.error.message}` : 'No answer.');
  if (run.answer?.kind === 'edits' && choices.edited && choices.edited.edits > 0) {
    const heading = choices.rejectedEdits ? 'the edits you accepted' : 'every edit applied';
    lines.push(`## Your passage with ${heading}`, '', choices.edited.text.trimEnd(), '');
  }
  const markdown = `${lines.join('\n').trimEnd()}\n\n---\n\n*For support: run ${run.run_id}*\n`;
  return { markdown, filename: reportFilename(names.taskName(run.task), at, timeZone) };
}

/**
 * Named as the writer knows the task ("Quire Continuity check 2026-12-06.md" in their Downloads), never by its id;
 * what a Mac or Windows file name cannot hold becomes a dash.
 */
export function reportFilename(title: string, at: Date, timeZone: string | undefined): string {
  return `Quire ${title.replace(/[/\\:*?"<>|]/g, '-')} ${calendarFor(timeZone)(at).day}.md`;
}

/** The writer's words as they wrote them, every line quoted. */
export function requestLines(request: string): string[] {
  return ['Your request:', '', ...request.split(/\r?\n/).map((line) => `> ${line}`.trimEnd()), ''];
}

/**
 * A stopped run's words: a draft's are its body; a structured answer cut short lists what had arrived whole, with the
 * JSON as it came kept below (the item cut off in the middle is only there).
 */
function stoppedLines(text: string): string[] {
  const partial = partialAnswer(text);
  if (!partial) return [text];
  // A fence longer than any run of backticks in the answer (a model may open its JSON with one of its own).
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [
    stoppedText(partial),
    '',
    ...partial.items.map((item) => `- ${item}`),
    ...(partial.items.length > 0 ? [''] : []),
    'What had arrived, as the model wrote it:',
    '',
    fence,
    text,
    fence,
  ];
}

/** "6 December 2026, 07:26": the code has no writer's locale, so one plain English form, in `timeZone`. */
export function readableDate(at: Date, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')}`;
}

export function answerLines(
  answer: RunAnswer,
  taskName: (id: string) => string,
  rejected: readonly number[] | undefined,
): string[] {
  switch (answer.kind) {
    case 'findings': {
      if (answer.findings.length === 0) return ['No findings.'];
      return answer.findings.flatMap((f, i) => {
        const sure = findingConfidenceText(f.confidence);
        return [
          `## ${i + 1}. ${f.claim}`,
          '',
          `Severity: ${f.severity}.${sure ? ` ${sure}.` : ''}`,
          '',
          ...f.evidence.map(quoteLine),
          ...(f.suggestion ? ['', `Suggestion: ${f.suggestion}`] : []),
          '',
        ];
      });
    }
    case 'edits':
      if (answer.edits.length === 0) return ['No edits proposed.'];
      return answer.edits.flatMap((e, i) => [
        `## ${editHeading(e, i, rejected)}`,
        '',
        ...blockquote(e.original),
        '',
        'becomes',
        '',
        ...blockquote(e.revised),
        '',
        `Why: ${e.reason}`,
        ...(e.problem ? ['', `Not applied: ${e.problem}.`] : []),
        '',
      ]);
    case 'summary':
      return answer.chapters.flatMap((c) => [`## ${c.chapter}`, '', c.summary, '']);
    case 'list':
      return answer.items.flatMap((item) => [`## ${item.title}`, '', item.detail, '']);
    case 'route':
      return answer.steps.map((s, i) => `${i + 1}. **${taskName(s.task)}** on ${s.target}: ${s.why}`);
    case 'prose':
      return [answer.text];
    default:
      return answer satisfies never;
  }
}

export function quoteLine(q: Pick<LocatedQuote, 'quote' | 'location'>): string {
  const where = q.location ? q.location.label : QUOTE_NOT_FOUND;
  return `- “${q.quote.replace(/\s+/g, ' ')}” (${where})`;
}

function blockquote(text: string): string[] {
  return text.split('\n').map((line) => `> ${line}`);
}

/** The writer's choice of an edit as the Workbench showed it: ticked "Accept" unless they untick it. */
function editChoice(edit: AnchoredEdit, index: number, rejected: readonly number[]): EditChoice {
  if (edit.problem) return 'cannot be applied';
  return rejected.includes(index) ? 'rejected by you' : 'accepted';
}

type EditChoice = 'accepted' | 'rejected by you' | 'cannot be applied';

/** "Edit 2 (Chapter 1, paragraph 3): rejected by you"; "Proposed edit 2 (…)" when the writer's choices are unknown. */
function editHeading(edit: AnchoredEdit, index: number, rejected: readonly number[] | undefined): string {
  const where = edit.location ? ` (${edit.location.label})` : '';
  if (!rejected) return `Proposed edit ${index + 1}${where}`;
  return `Edit ${index + 1}${where}: ${editChoice(edit, index, rejected)}`;
}

/** "2 edits accepted, 1 rejected, 1 that cannot be applied" (a count of none is left out). */
function choicesText(edits: readonly AnchoredEdit[], rejected: readonly number[]): string {
  const count = (choice: EditChoice) => edits.filter((e, i) => editChoice(e, i, rejected) === choice).length;
  const accepted = count('accepted');
  const parts = [`${accepted} edit${accepted === 1 ? '' : 's'} accepted`];
  if (count('rejected by you') > 0) parts.push(`${count('rejected by you')} rejected`);
  if (count('cannot be applied') > 0) parts.push(`${count('cannot be applied')} that cannot be applied`);
  return parts.join(', ');
}
