// A run's answer as a Markdown report a writer can keep beside the manuscript: findings with their quotes and where
// Quire found them (or that it did not), edits with their reasons, summaries, ideas, the route, or the prose.
import type { RunRecord } from '../../src-preload/contract/runs';
import { QUOTE_NOT_FOUND, type LocatedQuote, type RunAnswer } from '../../src-preload/contract/tasks';
import { usdText } from '../../src-preload/contract/usd-text';

export function runReport(run: RunRecord, taskName: string): { markdown: string; filename: string } {
  const lines: string[] = [`# ${taskName}`, ''];
  lines.push(`- Run: ${run.run_id}`);
  lines.push(`- Model: ${run.model_id ?? 'none'}`);
  lines.push(`- Status: ${run.status}`);
  lines.push(`- Cost: ${usdText(run.cost_usd)}`);
  lines.push(`- Date: ${run.finished_at ?? run.created_at}`);
  if (run.truncated) lines.push('- Note: the answer reached its length limit and may be incomplete.');
  for (const notice of run.answer?.notices ?? []) lines.push(`- Note: ${notice}`);
  lines.push('');
  if (run.answer) lines.push(...answerLines(run.answer));
  else if (run.text) lines.push(run.text);
  else lines.push(run.error ? `No answer: ${run.error.message}` : 'No answer.');
  const day = (run.finished_at ?? run.created_at).slice(0, 10);
  return { markdown: `${lines.join('\n').trimEnd()}\n`, filename: `quire-${run.task}-${day}.md` };
}

function answerLines(answer: RunAnswer): string[] {
  switch (answer.kind) {
    case 'findings': {
      if (answer.findings.length === 0) return ['No findings.'];
      return answer.findings.flatMap((f, i) => [
        `## ${i + 1}. ${f.claim}`,
        '',
        `Severity: ${f.severity}. Confidence: ${Math.round(f.confidence * 100)} %.`,
        '',
        ...f.evidence.map(quoteLine),
        ...(f.suggestion ? ['', `Suggestion: ${f.suggestion}`] : []),
        '',
      ]);
    }
    case 'edits':
      if (answer.edits.length === 0) return ['No edits proposed.'];
      return answer.edits.flatMap((e, i) => [
        `## Edit ${i + 1}${e.location ? ` (${e.location.label})` : ''}`,
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
      return answer.steps.map((s, i) => `${i + 1}. **${s.task}** on ${s.target}: ${s.why}`);
    case 'prose':
      return [answer.text];
    default:
      return answer satisfies never;
  }
}

function quoteLine(q: LocatedQuote): string {
  const where = q.location ? q.location.label : QUOTE_NOT_FOUND;
  return `- “${q.quote.replace(/\s+/g, ' ')}” (${where})`;
}

function blockquote(text: string): string[] {
  return text.split('\n').map((line) => `> ${line}`);
}
