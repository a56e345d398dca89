// A model's answer in the task library's findings form (what analysis tasks answer), with one finding.
export function findingsAnswer(claim: string, quote: string, severity: 'low' | 'medium' | 'high' = 'high') {
  return { findings: [{ claim, evidence: [{ quote, location: null }], severity, suggestion: null }] };
}
