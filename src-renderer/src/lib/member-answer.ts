// A tournament member's finished answer as a writer reads it: its findings' claims (with their severity), not the
// JSON the model sent. Anything else — prose, an answer still streaming, one that could not be read — is its text.

export type MemberAnswer =
  { kind: 'findings'; findings: { claim: string; severity: string | null }[] } | { kind: 'text'; text: string };

export function memberAnswer(text: string): MemberAnswer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'text', text };
  }
  const findings = (value as { findings?: unknown } | null)?.findings;
  if (!Array.isArray(findings)) return { kind: 'text', text };
  const read: { claim: string; severity: string | null }[] = [];
  for (const finding of findings) {
    const claim = (finding as { claim?: unknown } | null)?.claim;
    if (typeof claim !== 'string') return { kind: 'text', text };
    const severity = (finding as { severity?: unknown }).severity;
    read.push({ claim, severity: typeof severity === 'string' ? severity : null });
  }
  return { kind: 'findings', findings: read };
}
