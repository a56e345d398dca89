// Lexical similarity for matching findings across members: cheap, deterministic, language-light. When a local model
// is resident, an embedding measure can replace the claim similarity (see `embeddingSimilarity`).

/** Text compared word for word: NFKC, lower case, straight quote marks, single spaces. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

const STOPWORDS = new Set(
  (
    'a an the and or but of to in on at by for with from as is are was were be been being it its this that these ' +
    'those he she they them his her their him i you we our your my me us there here then than so such which who whom ' +
    'what when where while also into onto over under about after before again very can could would should will shall ' +
    'may might must do does did has have had having just only'
  ).split(' '),
);

/** Words that flip an assertion; stripped before comparing topics, counted by the contradiction detector. */
const NEGATION_WORDS = new Set([
  'not',
  'no',
  'never',
  'none',
  'nothing',
  'neither',
  'nor',
  'without',
  'cannot',
  'nobody',
  'nowhere',
]);

/** Lower-cased word tokens; "doesn't" becomes "does" + "not" so negation is visible as a word. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const raw of normalize(text).match(/[\p{L}\p{N}']+/gu) ?? []) {
    const word = raw.replace(/^'+|'+$/g, '').replace(/'s$/, '');
    if (!word) continue;
    if (word.endsWith("n't")) {
      const stem = word.slice(0, -3);
      out.push(stem === 'ca' ? 'can' : stem === 'wo' ? 'will' : stem, 'not');
    } else {
      out.push(word);
    }
  }
  return out;
}

/** A crude stem: enough to match "changes"/"changed"/"change" without a dictionary. */
function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of ['ing', 'ed', 'es', 's', 'ly']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

/**
 * Content-word stems: no stopwords, no negations, and polarity cues replaced by their concept ("changed" and
 * "unchanged" both become "~stable"), so the terms describe the topic, not which way the claim points.
 */
function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of words(text)) {
    if (STOPWORDS.has(word) || NEGATION_WORDS.has(word)) continue;
    const cue = POLARITY_CUES.get(word);
    terms.add(cue ? `~${cue.concept}` : stem(word));
  }
  return terms;
}

/**
 * Words that assert one side of a question, with the concept they answer and which side (+1/-1). Continuity checks
 * mostly argue about whether the text holds ("changes", "wrong", "impossible" vs "remains", "correct", "plausible"),
 * so that concept carries most of the words; the lists were grown on test/fixtures/finding-pairs.json.
 */
const POLARITY_CUES: ReadonlyMap<string, { concept: string; sign: 1 | -1 }> = buildCues({
  stable: [
    [
      'consistent',
      'consistently',
      'unchanged',
      'remains',
      'remain',
      'remained',
      'stays',
      'stay',
      'stayed',
      'same',
      'matches',
      'match',
      'matched',
      'agrees',
      'continuous',
      'identical',
      'coherent',
      // A claim that something is right answers the same question as a claim that it is consistent.
      'correct',
      'accurate',
      'valid',
      'plausible',
      'possible',
      'logical',
      'throughout',
    ],
    [
      'inconsistent',
      'inconsistently',
      'inconsistency',
      'change',
      'changes',
      'changed',
      'changing',
      'different',
      'differs',
      'differ',
      'mismatch',
      'mismatches',
      'contradicts',
      'contradict',
      'contradiction',
      'contradictory',
      'conflicts',
      'conflict',
      'conflicting',
      'discrepancy',
      'error',
      'mistake',
      'incoherent',
      'shift',
      'shifts',
      'shifted',
      'slip',
      'slips',
      'misnamed',
      'misspelled',
      'incorrect',
      'inaccurate',
      'wrong',
      'invalid',
      'implausible',
      'impossible',
      'illogical',
    ],
  ],
  alive: [
    ['alive', 'living', 'survives', 'survived'],
    ['dead', 'died', 'dies', 'killed', 'deceased'],
  ],
  present: [
    ['present', 'appears', 'found', 'returns', 'returned', 'rebuilt'],
    ['absent', 'missing', 'gone', 'disappears', 'lost', 'vanished', 'vanishes'],
  ],
  correct: [['true'], ['false']],
  resolved: [
    ['resolved', 'answered', 'paid'],
    ['unresolved', 'unanswered', 'dangling', 'dropped'],
  ],
  likely: [
    ['likely', 'probable'],
    ['unlikely', 'improbable'],
  ],
  older: [['older', 'elder'], ['younger']],
  more: [
    ['increase', 'increases', 'increased', 'more', 'rises'],
    ['decrease', 'decreases', 'decreased', 'less', 'fewer', 'falls'],
  ],
});

function buildCues(table: Record<string, [string[], string[]]>): Map<string, { concept: string; sign: 1 | -1 }> {
  const cues = new Map<string, { concept: string; sign: 1 | -1 }>();
  for (const [concept, [positive, negative]] of Object.entries(table)) {
    for (const word of positive) cues.set(word, { concept, sign: 1 });
    for (const word of negative) cues.set(word, { concept, sign: -1 });
  }
  return cues;
}

/**
 * Which way a claim points on each concept it touches: the sign of the sum of its cue words, where a negation flips
 * the next cue within four words ("does not change" = stable +1; "no error" = +1). A claim with no cue word has no
 * polarity, so it can never contradict anything. A heuristic, documented as such: it reads plain assertions, not
 * every sentence a model can write.
 */
export function polarity(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  let negatedUntil = -1;
  const list = words(text);
  list.forEach((word, index) => {
    if (NEGATION_WORDS.has(word)) {
      negatedUntil = index + NEGATION_SCOPE;
      return;
    }
    const cue = POLARITY_CUES.get(word);
    if (!cue) return;
    const sign = index <= negatedUntil ? -cue.sign : cue.sign;
    negatedUntil = -1;
    sums.set(cue.concept, (sums.get(cue.concept) ?? 0) + sign);
  });
  const result = new Map<string, number>();
  for (const [concept, sum] of sums) if (sum !== 0) result.set(concept, Math.sign(sum));
  return result;
}

const NEGATION_SCOPE = 4;

/** True when two claims point opposite ways on a concept both of them address. */
export function opposite(a: string, b: string): boolean {
  const pa = polarity(a);
  const pb = polarity(b);
  for (const [concept, sign] of pa) {
    const other = pb.get(concept);
    if (other !== undefined && other === -sign) return true;
  }
  return false;
}

function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/** |A ∩ B| / min(|A|, |B|): 1 when one set contains the other (a short quote inside a longer one). */
function overlapCoefficient<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const item of a) if (b.has(item)) shared++;
  return shared / Math.min(a.size, b.size);
}

function charTrigrams(text: string): Set<string> {
  const s = ` ${normalize(text).replace(/[^\p{L}\p{N} ]/gu, '')} `;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) grams.add(s.slice(i, i + 3));
  return grams;
}

/**
 * Claim similarity in [0, 1]: the larger of content-word Jaccard and a softened character-trigram Jaccard (which
 * catches inflections and typos the word measure misses). Polarity words are ignored on purpose: "X changed" and
 * "X did not change" are about the same thing, which is what lets the contradiction detector see them together.
 */
export function lexicalSimilarity(a: string, b: string): number {
  const wordScore = jaccard(contentTerms(a), contentTerms(b));
  const gramScore = jaccard(charTrigrams(stripNegations(a)), charTrigrams(stripNegations(b)));
  return Math.max(wordScore, gramScore * 0.9);
}

function stripNegations(text: string): string {
  return words(text)
    .filter((word) => !NEGATION_WORDS.has(word))
    .join(' ');
}

/**
 * How much two evidence quotes cover the same span, in [0, 1]: 1 when one (normalized) quote contains the other,
 * else the overlap coefficient of their word sequences' bigrams (so two quotes sharing a phrase score high, two quotes
 * sharing only common words do not).
 */
export function quoteOverlap(a: string, b: string): number {
  const na = normalize(a).replace(/[^\p{L}\p{N}' ]/gu, '');
  const nb = normalize(b).replace(/[^\p{L}\p{N}' ]/gu, '');
  if (na.length < 3 || nb.length < 3) return 0;
  if (na.includes(nb) || nb.includes(na)) return 1;
  return overlapCoefficient(bigrams(na), bigrams(nb));
}

function bigrams(text: string): Set<string> {
  const list = text.split(' ').filter(Boolean);
  const grams = new Set<string>();
  if (list.length === 1) grams.add(list[0]!);
  for (let i = 0; i + 1 < list.length; i++) grams.add(`${list[i]} ${list[i + 1]}`);
  return grams;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return 0;
  return Math.max(0, Math.min(1, dot / Math.sqrt(na * nb)));
}

export type ClaimSimilarity = (a: string, b: string) => number;

/** Embeds every claim once (e.g. with a resident local model's embedding context) and compares by cosine. */
export async function embeddingSimilarity(
  claims: readonly string[],
  embed: (texts: string[]) => Promise<number[][]>,
): Promise<ClaimSimilarity> {
  const unique = [...new Set(claims)];
  const vectors = await embed(unique);
  const byText = new Map(unique.map((text, i) => [text, vectors[i] ?? []]));
  return (a, b) => {
    const va = byText.get(a);
    const vb = byText.get(b);
    // Anything not embedded falls back to the lexical measure rather than guessing.
    return va && vb ? cosine(va, vb) : lexicalSimilarity(a, b);
  };
}
