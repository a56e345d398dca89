/** Percentile of already-collected samples (milliseconds), nearest-rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export async function timeEach(count: number, fn: (i: number) => unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

export function summary(label: string, samples: number[]): string {
  const total = samples.reduce((a, b) => a + b, 0);
  return `${label}: n=${samples.length} p50=${percentile(samples, 50).toFixed(4)} ms p99=${percentile(samples, 99).toFixed(4)} ms throughput=${((samples.length / total) * 1000).toFixed(0)}/s`;
}
