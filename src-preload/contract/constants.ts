// Constants the renderer needs as values, not only as types: kept free of zod so its bundle stays small.

/**
 * Seed 000's seven strength categories, defined for fiction work:
 * - narrative_continuity: facts, timelines and details stay consistent across chapters
 * - thematic_analysis: what the book is about beneath the plot; motifs, symbols, theme development
 * - character_psychology: motivation, voice and arc consistency of characters
 * - semantic_reasoning: careful reading and logical inference over a passage (summaries, checks, coordination)
 * - structure_pacing: beats, acts, scene order, tension and pacing
 * - prose_style: sentence-level craft: line edits, voice, rhythm, clarity
 * - creative_generation: brainstorming, alternatives, new material in the writer's direction
 */
export const STRENGTHS = [
  'narrative_continuity',
  'thematic_analysis',
  'character_psychology',
  'semantic_reasoning',
  'structure_pacing',
  'prose_style',
  'creative_generation',
] as const;

/**
 * Seed 000: the budget tier's minimum quality; no tier picks a model estimated below it for the task. The endpoint form
 * says so of a model rated lower.
 */
export const MIN_QUALITY = 6;

/** Each strength in a writer's words, for reasons and labels. */
export const STRENGTH_WORDS: Record<(typeof STRENGTHS)[number], string> = {
  narrative_continuity: 'a sense of continuity',
  thematic_analysis: 'an eye for theme',
  character_psychology: 'a feel for character',
  semantic_reasoning: 'careful reading',
  structure_pacing: 'a sense of structure and pacing',
  prose_style: 'an ear for prose',
  creative_generation: 'creative range',
};

/** How many tokens Quire takes a custom endpoint's model to read at once when the writer has not said. */
export const ENDPOINT_DEFAULT_CONTEXT = 32_768;

/** Budget alerts are raised once a month at each of these percentages of the budget. */
export const ALERT_THRESHOLDS = [50, 80, 100] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

/**
 * The most text a whole manuscript may be: 50 MB is ~8 million words, far beyond any novel; larger is almost
 * certainly not a manuscript. Decimal, as the Finder shows a file's size: a file the Finder calls "50.3 MB" is over it.
 */
export const MAX_MANUSCRIPT_BYTES = 50_000_000;

/** The most a passage opened from a file may be (a chapter, or a few); a longer text opens as a whole manuscript. */
export const MAX_PASSAGE_FILE_BYTES = 900_000;
