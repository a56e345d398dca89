// Whole manuscripts (issue 12): locating the structure of a generated 150,000-word manuscript, splitting it into
// parts with each model's real per-text token count and locating a job's findings' quotes in it, against the 100 ms
// target and against one plain count of the same text (the floor: the splitter measures every part it makes); and the multi-part job runner's overhead (story
// bounding, SQLite persistence of every part, merging) over the sum of its parts' own time, with a fake runPart. And the
// structure of a 48 MB manuscript of 1.8 million short paragraphs, parsed at once and in slices as the app parses it.
// And History's page of 50 runs (runs:list) when each ran on the whole manuscript, beside the same 50 rows read whole.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { LocalTokenizer } from '../src-main/local/local-tokenizer';
import { locateJobFindings } from '../src-main/manuscripts/job-findings';
import { planJob } from '../src-main/manuscripts/job-plan';
import { JobRunner } from '../src-main/manuscripts/job-runner';
import type { JobPart, MergedFinding, PartResult, StorySoFar } from '../src-main/manuscripts/job-types';
import { JobsRepo } from '../src-main/manuscripts/jobs-repo';
import { splitIntoParts, type CountText } from '../src-main/manuscripts/splitter';
import { parseStructure, parseStructureAsync } from '../src-main/manuscripts/structure';
import { openDatabase } from '../src-main/store/database';
import { RunsRepo } from '../src-main/store/repos/runs-repo';
import { QuoteLocator } from '../src-main/tasks/quotes';
import { TokenCounter } from '../src-main/tokens/token-counter';
import { generateManuscript, shortParagraphsManuscript } from '../test/fixtures/manuscript';
import { tinyLlamaFixture } from '../test/fixtures/tiny-llama';
import { model } from '../test/support/decision-fixtures';
import { fixtureLlama, fixtureSpec } from '../test/support/local-fixture';
import { longestWait } from '../test/support/longest-wait';
import { percentile, timeEach } from './stats';

const TARGET_MS = 100;
const ROUNDS = 7;
const PART_TOKENS = 6000;

export async function benchManuscripts(): Promise<void> {
  const text = generateManuscript({ words: 150_000, chapters: 40, longEvery: 60 });
  const words = text.split(/\s+/).filter(Boolean).length;
  console.log(`manuscript: ${words.toLocaleString('en-US')} words, ${(text.length / 1e6).toFixed(2)} MB`);
  let llama: Llama | undefined;
  const local = new LocalTokenizer({
    llama: async () => (llama ??= await fixtureLlama()),
    fileOf: () => tinyLlamaFixture({ seed: 1 }),
  });
  try {
    const counters: { label: string; counter: () => Promise<CountText> }[] = [
      {
        label: 'o200k (GPT-5.5)',
        counter: async () => (await new TokenCounter().textCounter(model('gpt-5.5'))).count,
      },
      {
        label: 'estimate (Claude)',
        counter: async () =>
          (await new TokenCounter().textCounter(model('claude-sonnet-4-6', { provider: 'anthropic' }))).count,
      },
      {
        label: 'model (tiny GGUF vocabulary)',
        counter: async () =>
          (await new TokenCounter({ localText: local.textCounter }).textCounter(fixtureSpec('tiny', 'tiny-a'))).count,
      },
    ];
    const structure = await timeEach(ROUNDS, () => parseStructure(text));
    const structureMs = percentile(structure, 50);
    console.log(`locate structure (chapters, scenes, paragraphs): p50 ${structureMs.toFixed(1)} ms`);
    await largeStructure();
    const { blocks } = parseStructure(text);
    // Locating a job's merged findings in the whole text: 60 findings of two quotes each, spread over the book, a
    // third of them copied with changed case and spacing (the tolerant path) and some not in the text at all. Each
    // round sees a different text (one trailing space more) and makes its own QuoteLocator, as a job does, so nothing
    // is remembered from the round before; the structure is the one parsed above (a job parses it once, to plan).
    const copies = Array.from({ length: ROUNDS }, (_, i) => {
      const copy = text + ' '.repeat(i + 1);
      return { copy, findings: benchFindings(copy), structure: parseStructure(copy) };
    });
    const locate = await timeEach(ROUNDS, (i) => {
      const { copy, findings, structure } = copies[i]!;
      locateJobFindings(findings, new QuoteLocator(copy), structure);
    });
    const locateMs = percentile(locate, 50);
    console.log(
      `locate 120 quotes of 60 findings (exact, tolerant, missing) in the whole text: p50 ${locateMs.toFixed(1)} ms`,
    );
    for (const { label, counter } of counters) {
      await counter(); // loads the tables once, as the app does before the first count
      let parts = 0;
      const split = await timeEach(ROUNDS, async () => {
        // A fresh counter each round: nothing remembered from the previous split.
        parts = splitIntoParts(text, blocks, await counter(), PART_TOKENS).length;
      });
      const once = await timeEach(ROUNDS, async () => (await counter())(text));
      const total = structureMs + percentile(split, 50) + locateMs;
      console.log(
        `${label}: structure + split into ${parts} parts of ≤ ${PART_TOKENS} tokens + locate quotes p50 ${total.toFixed(1)} ms ` +
          `(${(total / TARGET_MS).toFixed(2)}× the ${TARGET_MS} ms target); one plain count of the text ` +
          `${percentile(once, 50).toFixed(1)} ms, split ÷ one count ${(percentile(split, 50) / percentile(once, 50)).toFixed(2)}`,
      );
    }
    await runnerOverhead(text, blocks);
    historyPage(text);
  } finally {
    await local.close();
    await llama?.dispose();
  }
}

/**
 * History's page of 50 runs, each a check of the whole manuscript (its request, as stored, holds the text), with their
 * answers: what runs:list takes, on the main thread, beside the same 50 rows read whole (SELECT *).
 */
function historyPage(text: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-history-'));
  const db = openDatabase(join(dir, 'quire.sqlite'));
  try {
    const insert = db.prepare(
      `INSERT INTO runs (id, task, status, request_json, output_text, attempts_json, created_at)
       VALUES (?, 'continuity_check', 'completed', ?, ?, '[]', ?)`,
    );
    const request = JSON.stringify({ task: 'continuity_check', input: text, request: 'Do the eyes stay green?' });
    const answer = JSON.stringify({ findings: Array.from({ length: 40 }, (_, i) => ({ claim: `Finding ${i}.` })) });
    db.transaction(() => {
      for (let i = 0; i < 60; i++)
        insert.run(`run-${i}`, request, answer, new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString());
    })();
    const repo = new RunsRepo(db);
    const whole = db.prepare('SELECT * FROM runs ORDER BY created_at DESC LIMIT 50');
    const list = () => repo.list({ limit: 50 });
    list();
    whole.all();
    const listed: number[] = [];
    const read: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let t0 = performance.now();
      list();
      listed.push(performance.now() - t0);
      t0 = performance.now();
      whole.all();
      read.push(performance.now() - t0);
    }
    const [l, r] = [percentile(listed, 50), percentile(read, 50)];
    console.log(
      `History, 50 runs on the whole manuscript: runs:list p50 ${l.toFixed(1)} ms; the same rows read whole ${r.toFixed(1)} ms (${(l / r).toFixed(2)}×)`,
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The largest manuscript's structure: parsed at once, the event loop waits for all of it; in slices (as the app parses
 * it), the longest it waits is a 1 ms timer's longest gap.
 */
async function largeStructure(): Promise<void> {
  const text = shortParagraphsManuscript(1_800_000);
  const rounds = 3;
  const atOnce = await timeEach(rounds, () => parseStructure(text));
  let waitMs = 0;
  const sliced = await timeEach(rounds, async () => {
    waitMs = Math.max(waitMs, (await longestWait(() => parseStructureAsync(text))).waitMs);
  });
  console.log(
    `structure of ${(Buffer.byteLength(text) / 1e6).toFixed(0)} MB, 1.8 million short paragraphs: at once p50 ` +
      `${percentile(atOnce, 50).toFixed(0)} ms (the event loop held as long); in slices p50 ` +
      `${percentile(sliced, 50).toFixed(0)} ms, the event loop held at most ${waitMs.toFixed(0)} ms at a time`,
  );
}

/** Findings a continuity check might return on `text`: quotes taken from across it, some altered, some invented. */
function benchFindings(text: string): MergedFinding[] {
  const findings: MergedFinding[] = [];
  for (let i = 0; i < 60; i++) {
    const quoteAt = (fraction: number) => {
      const start = text.indexOf('. ', Math.floor(text.length * fraction)) + 2;
      return text.slice(start, text.indexOf('.', start) + 1);
    };
    let second = quoteAt((i + 30) / 61);
    if (i % 3 === 1) second = second.toUpperCase().replace(/ /g, '  ');
    if (i % 10 === 9) second = 'Words that are nowhere in this book at all.';
    findings.push({
      claim: `Finding ${i}`,
      severity: 'medium',
      evidence: [
        { quote: quoteAt(i / 61), location: null },
        { quote: second, location: null },
      ],
      parts: [0],
    });
  }
  return findings;
}

/** A job on the manuscript whose fake parts each take PART_MS (a timer: no CPU, so the overhead is all Quire's). */
async function runnerOverhead(text: string, blocks: ReturnType<typeof parseStructure>['blocks']): Promise<void> {
  // A fast cloud call or a short local part; real parts (thousands of tokens in, hundreds out) take longer.
  const PART_MS = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'quire-bench-job-'));
  const db = openDatabase(join(dir, 'quire.sqlite'));
  try {
    const count: CountText = (t) => Math.ceil(t.length / 4);
    const plan = planJob(
      text,
      blocks,
      count,
      { contextWindow: 32_768, maxOutputTokens: 2000, instructionTokens: 300, storyTokens: 1500 },
      'bench',
    );
    const runner = new JobRunner({ repo: new JobsRepo(db) });
    let partTime = 0;
    const runPart = async (part: JobPart, story: StorySoFar): Promise<PartResult> => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, PART_MS));
      const result: PartResult = {
        findings: [
          { claim: `Finding in part ${part.index}`, evidence: [{ quote: 'lantern', location: null }], severity: 'low' },
          { claim: 'Repeated word', evidence: [{ quote: 'harbour', location: null }], severity: 'low' },
        ],
        storyUpdate: {
          ...story,
          facts: [
            ...story.facts,
            ...part.paragraphs.slice(0, 20).map((p) => ({ text: `fact from ${p.start}`, location: p })),
          ],
        },
        usage: { inputTokens: part.tokens, outputTokens: 100 },
      };
      partTime += performance.now() - start;
      return result;
    };
    const id = runner.create({ task: 'continuity_check', model_id: 'bench', text, plan, quote: {} as never });
    const start = performance.now();
    const result = await runner.run(id, runPart, { count });
    const wall = performance.now() - start;
    const overhead = wall - partTime;
    console.log(
      `job runner: ${result.parts} parts × ${PART_MS} ms fake model time; wall ${wall.toFixed(0)} ms, parts ` +
        `${partTime.toFixed(0)} ms, overhead ${overhead.toFixed(1)} ms = ${((overhead / partTime) * 100).toFixed(2)} % ` +
        `of the parts' time (target < 2 %), ${(overhead / result.parts).toFixed(2)} ms per part (persist + story + merge)`,
    );
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
