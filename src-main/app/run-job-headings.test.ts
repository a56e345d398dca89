// A chapter summary run in parts, over the real HTTP host and the openai SDK against the loopback fake, answers one
// summary per chapter for the heading layouts writers use — "# Chapter N" with a blank line after it, a "Chapter N"
// line straight above its text, "## Chapter N" under the book's "# Title" — and a chapter spread over parts is
// combined from its own pieces only.
import { describe, expect, it } from 'vitest';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import type { RecordedRequest } from '../../test/support/fake-llm-server';

const h = useExecutionHarness();
const small = endpointModel('small', 9, 8192);
const HEADING = /^(?:#+ )?(Chapter \d+|The Lighthouse Keeper)$/;

const messages = (r: RecordedRequest) => r.body.messages as { role: string; content: string }[];
const combinedTitle = (r: RecordedRequest) =>
  /Combine these partial summaries of "([^"]+)"/.exec(messages(r)[0]!.content)?.[1] ?? null;
/** The passage a part's request sends. */
const partText = (r: RecordedRequest) =>
  (
    messages(r)
      .filter((m) => m.role === 'user')
      .map((m) => m.content)
      .join('\n')
      .split('<manuscript>\n')[1] ?? ''
  ).split('\n</manuscript>')[0]!;

/** A faithful summariser: one entry per heading line it sees, "Untitled" first when it begins inside a chapter. */
function summariser(request: RecordedRequest) {
  const title = combinedTitle(request);
  if (title) return { json: { chapters: [{ chapter: title, summary: `Combined ${title}.` }] } };
  const lines = partText(request).split('\n');
  const heads = lines.map((l) => HEADING.exec(l)?.[1]).filter((t): t is string => !!t);
  const chapters = [
    ...(HEADING.test(lines[0]!) ? [] : [{ chapter: 'Untitled', summary: 'The rest of a chapter.' }]),
    ...heads.map((t) => ({ chapter: t, summary: `${t} happens.` })),
  ];
  return { json: { chapters, story: null } };
}

/** The run's summaries, the chapters that really continue into a later part, and the chapters combined. */
async function summarise(text: string) {
  const host = await h.host();
  await host.endpoint('ep', [small]);
  h.server().script('small', { respond: summariser, inputTokens: 3000, outputTokens: 200 });
  const started = await host.call('runs:start', { task: 'chapter_summary', input: text, model: 'ep/small' });
  expect(started.body.error).toBeUndefined();
  const requests = h.server().requests;
  // A chapter continues into a later part when that part begins without a heading: the last heading before it.
  const spanning = new Set<string>();
  let last: string | null = null;
  for (const r of requests.filter((r) => combinedTitle(r) === null)) {
    const lines = partText(r).split('\n');
    if (!HEADING.test(lines[0]!) && last) spanning.add(last);
    for (const l of lines) last = HEADING.exec(l)?.[1] ?? last;
  }
  const combined = new Set(requests.map(combinedTitle).filter((t): t is string => t !== null));
  return {
    chapters: started.body.value.answer.chapters as { chapter: string; summary: string }[],
    spanning: [...spanning].sort(),
    combined: [...combined].sort(),
  };
}

const base = generateManuscript({ words: 30_000, chapters: 8 });
const titles = Array.from({ length: 8 }, (_, i) => `Chapter ${i + 1}`);

describe('a chapter summary in parts: one summary per chapter, whatever the heading layout', () => {
  it('"# Chapter N" headings followed by a blank line', async () => {
    const { chapters, spanning, combined } = await summarise(base);
    expect(chapters.map((c) => c.chapter)).toEqual(titles);
    expect(spanning.length).toBeGreaterThan(0);
    expect(combined).toEqual(spanning);
  });

  it('"Chapter N" heading lines followed directly by their text (no blank line)', async () => {
    const { chapters, spanning, combined } = await summarise(base.replace(/^# (Chapter \d+)\n\n/gm, '$1\n'));
    expect(chapters.map((c) => c.chapter)).toEqual(titles);
    // Each chapter spread over parts is summarised again from its own pieces; no other chapter is.
    expect(spanning.length).toBeGreaterThan(0);
    expect(combined).toEqual(spanning);
  });

  it('"## Chapter N" headings under the book\'s "# Title"', async () => {
    const text = `# The Lighthouse Keeper\n\n${base.replace(/^# (Chapter \d+)$/gm, '## $1')}`;
    const { chapters, spanning, combined } = await summarise(text);
    // The title is no chapter of Quire's; a model that names it anyway keeps its entry (nothing it wrote is dropped).
    expect(chapters.map((c) => c.chapter).filter((c) => c !== 'The Lighthouse Keeper')).toEqual(titles);
    expect(spanning.length).toBeGreaterThan(0);
    expect(combined).toEqual(spanning);
  });
});
