// Where a run in parts places its findings: each quote in the part that reported it (the same words elsewhere in the
// manuscript are another place), the same claim at two places kept as two, a stored manuscript numbered as the
// library numbers it (a folder's chapter files without headings included), and labelled as a single run labels it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocatedFinding } from '../../src-preload/contract/tasks';
import { generateManuscript } from '../../test/fixtures/manuscript';
import { endpointModel, useExecutionHarness } from '../../test/support/execution-harness';
import { useTempDir } from '../../test/support/temp-dir';

const h = useExecutionHarness();
const tempDir = useTempDir('quire-job-places-');
const PHRASE = 'She closed the door behind her.';
const MARK = 'The clock in the hall had stopped at nine.';
/** PHRASE in chapter 1 (paragraph 3) and again in chapter 9 (paragraph 5, after MARK): parts apart. */
const text = generateManuscript({
  words: 30_000,
  chapters: 10,
  plant: [
    { chapter: 1, paragraph: 3, text: PHRASE },
    { chapter: 9, paragraph: 5, text: `${MARK} ${PHRASE}` },
  ],
});

/** The passage a part's request sends (after the story so far). */
function passageOf(body: Record<string, unknown>): string {
  const user = (body.messages as { role: string; content: string }[])
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
  return user.slice(user.search(/<[a-z_]+>\n/));
}

/**
 * A host whose small model answers each part with `findings(passage)`; its large one (which reads a whole manuscript
 * at once) answers a single run the same way.
 */
async function checker(findings: (passage: string) => unknown[]) {
  const host = await h.host();
  await host.endpoint('ep', [endpointModel('small', 9, 8192), endpointModel('large', 8, 200_000)]);
  h.server().script('small', {
    respond: (req) => ({ json: { findings: findings(passageOf(req.body)), story: null } }),
    inputTokens: 3000,
    outputTokens: 50,
  });
  h.server().script('large', {
    respond: (req) => ({ json: { findings: findings(passageOf(req.body)) } }),
    inputTokens: 3000,
    outputTokens: 50,
  });
  return host;
}

async function findingsOf(
  host: Awaited<ReturnType<typeof checker>>,
  input: string,
  model = 'ep/small',
): Promise<LocatedFinding[]> {
  const before = h.server().requests.length;
  const run = (await host.call('runs:start', { task: 'continuity_check', input, model })).body.value;
  expect(run).toMatchObject({ status: 'completed', answer: { kind: 'findings' } });
  // The small model runs it in parts; the large one in one call.
  const calls = h.server().requests.length - before;
  if (model === 'ep/small') expect(calls).toBeGreaterThan(2);
  else expect(calls).toBe(1);
  return run.answer.findings;
}

const places = (findings: LocatedFinding[]) => findings.flatMap((f) => f.evidence.map((e) => e.location?.label));

describe('a run in parts places each finding where its part found it', () => {
  it('a quote whose words are also in an earlier chapter is placed in the part that reported it', async () => {
    const host = await checker((passage) =>
      passage.includes(MARK)
        ? [{ claim: 'The door closes while the clock is stopped', evidence: [{ quote: PHRASE }], severity: 'medium' }]
        : [],
    );
    const [finding] = await findingsOf(host, text);
    expect(finding!.evidence[0]).toMatchObject({
      match: 'exact',
      start: text.indexOf(PHRASE, text.indexOf(MARK)),
      location: { chapter: 9, paragraph: 5, label: 'Chapter 9, paragraph 5' },
    });
  });

  it('the same claim reported by two parts at two places is kept at both places', async () => {
    const host = await checker((passage) =>
      passage.includes(PHRASE) ? [{ claim: 'Cliché', evidence: [{ quote: PHRASE }], severity: 'low' }] : [],
    );
    const findings = await findingsOf(host, text);
    expect(findings.map((f) => f.claim)).toEqual(['Cliché', 'Cliché']);
    expect(places(findings)).toEqual(['Chapter 1, paragraph 3', 'Chapter 9, paragraph 5']);
  });

  it("a folder manuscript's chapter files without headings are numbered as the library numbers them", async () => {
    const dir = join(tempDir(), 'novel');
    mkdirSync(dir);
    const planted = 'The violin case was empty when she opened it.';
    for (let n = 1; n <= 10; n++) {
      const chapter = generateManuscript({
        words: 3000,
        chapters: 1,
        seed: n,
        ...(n === 3 ? { plant: [{ chapter: 1, paragraph: 2, text: planted }] } : {}),
      });
      writeFileSync(join(dir, `Chapter ${n}.txt`), chapter.replace(/^# Chapter 1\n\n/, ''));
    }
    const host = await checker((passage) =>
      passage.includes(planted) ? [{ claim: 'An empty case', evidence: [{ quote: planted }], severity: 'low' }] : [],
    );
    const manuscript = (await host.call('manuscripts:open', { path: dir })).body.value;
    const [finding] = await findingsOf(host, manuscript.text);
    expect(finding!.evidence[0]!.location).toEqual({
      chapter: 3,
      chapter_title: 'Chapter 3',
      paragraph: 2,
      label: 'Chapter 3, paragraph 2',
    });
  });

  it('a quote in a titled chapter has the label a single run gives it', async () => {
    // "# Chapter 9: The Harbour": the label names the chapter by its heading, in a run in parts as in a single run.
    const titled = text.replace(
      /^# Chapter (\d+)$/gm,
      (_, n: string) => `# Chapter ${n}: ${n === '9' ? 'The Harbour' : 'Elsewhere'}`,
    );
    const host = await checker((passage) =>
      passage.includes(MARK) ? [{ claim: 'A stopped clock', evidence: [{ quote: MARK }], severity: 'low' }] : [],
    );
    const [single] = await findingsOf(host, titled, 'ep/large');
    const [inParts] = await findingsOf(host, titled, 'ep/small');
    expect(single!.evidence[0]!.location).toEqual({
      chapter: 9,
      chapter_title: 'Chapter 9: The Harbour',
      paragraph: 5,
      label: 'Chapter 9: The Harbour, paragraph 5',
    });
    expect(inParts!.evidence[0]!.location).toEqual(single!.evidence[0]!.location);
  });
});
