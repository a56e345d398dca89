// Whether an answer's evidence quotes are really in the text it was given: a check every run with findings gets (its
// confidence reads it), and tournaments show per finding.

export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a quote appears in the source text (after normalizing whitespace, case and quote marks). */
export function quoteFound(quote: string, source: string): boolean {
  const q = normalize(quote).replace(/^["']+|["'.,…]+$/g, '');
  if (q.length < 3) return false;
  return normalize(source).includes(q);
}

/**
 * The share of an answer's evidence quotes found in the input, or null when the answer quoted nothing (a plain text
 * answer, or findings without quotes). Reads any JSON answer with a `findings` array: the task library's
 * `{ evidence: [{ quote }] }` (every quote, a contradiction's two places included), or one `{ evidence_quote }` (the
 * tournaments' former shape, which a caller's own JSON schema may still ask for).
 */
export function quoteShare(json: unknown, input: string): number | null {
  const findings = (json as { findings?: unknown } | null | undefined)?.findings;
  if (!Array.isArray(findings)) return null;
  const quotes = findings
    .flatMap((f) => {
      const finding = f as { evidence?: unknown; evidence_quote?: unknown } | null;
      if (Array.isArray(finding?.evidence))
        return finding.evidence.map((e) => (e as { quote?: unknown } | null)?.quote);
      return [finding?.evidence_quote];
    })
    .filter((q): q is string => typeof q === 'string' && q.trim() !== '');
  if (quotes.length === 0) return null;
  return quotes.filter((q) => quoteFound(q, input)).length / quotes.length;
}
