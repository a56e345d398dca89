// Merges the findings of every part into one list: the same claim with evidence at the same place (where the parts
// found it; for parts stored before that was kept, a shared location or quote) is one finding, its evidence the union,
// its severity the highest, its parts all that reported it. The same claim about the same words at another place is
// another finding, at its own place.
import type { JobEvidence, JobFinding, MergedFinding } from './job-types';

const SEVERITY = { low: 0, medium: 1, high: 2 } as const;

function normal(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u201c\u201d"'`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function sameLocation(a: JobEvidence, b: JobEvidence): boolean {
  return (
    a.location !== null &&
    b.location !== null &&
    a.location.chapter === b.location.chapter &&
    a.location.paragraph === b.location.paragraph
  );
}

/**
 * Whether two pieces of evidence are at one place of the text, as the parts that reported them found them; null when
 * either was not found there (or its part was stored before that was kept).
 */
function samePlace({ found: a }: JobEvidence, { found: b }: JobEvidence): boolean | null {
  if (a?.start == null || b?.start == null) return null;
  return a.start < b.end && b.start < a.end;
}

function overlaps(a: JobEvidence, b: JobEvidence): boolean {
  const place = samePlace(a, b);
  if (place !== null) return place;
  if (sameLocation(a, b)) return true;
  const qa = normal(a.quote);
  const qb = normal(b.quote);
  return qa.length > 0 && qb.length > 0 && (qa.includes(qb) || qb.includes(qa));
}

/** `byPart[k]` is part k's findings; the result keeps first-seen order. */
export function mergeFindings(byPart: readonly (readonly JobFinding[])[]): MergedFinding[] {
  const merged: (MergedFinding & { key: string })[] = [];
  byPart.forEach((findings, part) => {
    for (const finding of findings) {
      const key = normal(finding.claim);
      const same = merged.find(
        (m) => m.key === key && m.evidence.some((e) => finding.evidence.some((f) => overlaps(e, f))),
      );
      if (!same) {
        merged.push({ ...finding, evidence: [...finding.evidence], parts: [part], key });
        continue;
      }
      for (const e of finding.evidence)
        if (!same.evidence.some((x) => normal(x.quote) === normal(e.quote) && sameOrNone(x, e))) same.evidence.push(e);
      if (SEVERITY[finding.severity] > SEVERITY[same.severity]) same.severity = finding.severity;
      if (same.suggestion === undefined && finding.suggestion !== undefined) same.suggestion = finding.suggestion;
      if (!same.parts.includes(part)) same.parts.push(part);
    }
  });
  return merged.map(({ key: _key, ...finding }) => finding);
}

function sameOrNone(a: JobEvidence, b: JobEvidence): boolean {
  return samePlace(a, b) ?? (a.location === null || b.location === null || sameLocation(a, b));
}
