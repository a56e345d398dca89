// The narrow interface between the multi-part job runner and whoever executes a task on one part (the runs service
// after the merge). The runner never calls a model itself: it hands each part, with the story so far, to `runPart`.
import type { QuoteSpan } from '../tasks/quotes';

/** Where something is in the writer's text: Quire's own numbering (chapter N, paragraph M), never a model's claim. */
export interface TextLocation {
  chapter: number;
  /** null for a heading or scene break. */
  paragraph: number | null;
}

export interface JobEvidence {
  quote: string;
  location: TextLocation | null;
  /**
   * Where the part that reported it found the quote in the whole input (job-findings.ts findInPart): the same words
   * elsewhere are another place. Absent from parts stored before it was kept.
   */
  found?: QuoteSpan;
}

/** The analysis tasks' finding shape: a contradiction cites both places. */
export interface JobFinding {
  claim: string;
  evidence: JobEvidence[];
  severity: 'low' | 'medium' | 'high';
  suggestion?: string;
}

/** A merged finding also says which parts (0-based) reported it. */
export interface MergedFinding extends JobFinding {
  parts: number[];
}

export interface StoryNote {
  text: string;
  location: TextLocation | null;
}

/**
 * What the model needs to remember from earlier parts to catch a cross-chapter contradiction, kept within a token
 * bound (story.ts). `omitted` counts the oldest notes dropped to stay inside it; the prompt says so.
 */
export interface StorySoFar {
  characters: { name: string; notes: StoryNote[] }[];
  facts: StoryNote[];
  timeline: StoryNote[];
  omitted: number;
}

export interface PartParagraph extends TextLocation {
  /** Offsets into the whole input text (the same numbering the stored document uses). */
  start: number;
  end: number;
}

/** One part as runPart sees it. */
export interface JobPart {
  /** 0-based; `total` parts in all. Progress reads "part index+1 of total". */
  index: number;
  total: number;
  /** Exactly input.slice(start, end). */
  text: string;
  start: number;
  end: number;
  /** Tokens of `text` for the job's model (the one token counter). */
  tokens: number;
  /** The blocks this part holds (or holds a piece of), with their locations. */
  paragraphs: PartParagraph[];
}

export interface PartUsage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

export interface PartResult {
  findings: JobFinding[];
  /** A task whose answer is not findings: this part's answer, kept as it is (JSON) with the finished part. */
  answer?: unknown;
  /** The story so far after this part (the model's update of the one it was given). */
  storyUpdate: StorySoFar;
  usage: PartUsage;
  /**
   * What the writer should know of this part's answer (a local model's answer reached its limits: there may be more,
   * or text may be cut short), in their words; absent when nothing.
   */
  notices?: string[];
}

/** A finished call's notices (PartResult.notices): `index` is its place in the job, 0-based, steps after the parts. */
export interface PartNotices {
  index: number;
  notices: string[];
}

/**
 * Runs the task on one part. `storySoFar` is the bounded story after the previous parts (empty for the first);
 * `signal` aborts the part (the runner then stops and keeps every part already finished).
 */
export type RunPart = (part: JobPart, storySoFar: StorySoFar, signal: AbortSignal) => Promise<PartResult>;

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface JobProgress {
  job_id: string;
  /** 1-based: "part `part` of `of`". */
  part: number;
  of: number;
  phase: 'started' | 'finished';
}

export const EMPTY_STORY: StorySoFar = { characters: [], facts: [], timeline: [], omitted: 0 };
