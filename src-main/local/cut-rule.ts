// Where a GGUF vocabulary's texts may be cut for counting: the rule word-walk.ts walks by, made in vocab-probe.ts for
// an SPM vocabulary and in bpe-cuts.ts for a byte-level BPE one.

/** Where a vocabulary may be cut: before a space between characters not in `unsafe` and `unsafeAfter`. */
export interface CutRule {
  /** Characters (code points, as strings) after which a cut before a space could change the tokens. */
  unsafe: ReadonlySet<string>;
  /** Per character of one UTF-16 code unit: 1 when in `unsafe` (the fast path; surrogate pairs are looked up). */
  unsafeUnit: Uint8Array;
  /** Per UTF-16 code unit: 1 when a character starting with it begins a user-defined token (none may follow a cut's space). */
  unsafeAfterUnit: Uint8Array;
  /** The vocabulary prepends a space to the text (so a word's own leading space is left for it to add). */
  spacePrefix: boolean;
  /**
   * SPM: every pair of neighbouring characters inside a token (a space written ▁): a cut between any other pair is
   * safe. BPE: every pair inside a token matched in the raw text, which a cut never splits either.
   */
  pairs: ReadonlySet<string>;
  /**
   * BPE: a long word is cut only where the pre-tokenizer always ends a pre-token (bpe-cuts.ts's bpeClassEdge): it
   * groups runs (digits in threes, a letter run with the punctuation before it), so no pair of characters alone is
   * proof there, and merges never cross a pre-token's edge.
   */
  classEdges: boolean;
  /**
   * The tokens llama.cpp makes of the space it prepends to a text on its own (0 without the prefix), when long words
   * may be cut between characters (see word-walk.ts forEachChunk); undefined when they may not.
   */
  prefixTokens?: number | undefined;
}
