// The colours of a chart's series, from the theme. A series of money only held, not spent (a call still running), is
// muted, as the budget gauge shows it hatched in muted grey: its green there means "spent, well under budget".

export interface ChartPalette {
  text: string;
  series: string[];
}

export interface ChartSeries {
  label: string;
  data: number[];
  /** `muted`: the theme's muted colour, for what is not (yet) a cost. */
  tone?: 'muted';
}

/** One bar series' colour; a doughnut's one colour per slice. */
export function seriesColor(
  type: 'bar' | 'doughnut',
  set: ChartSeries,
  index: number,
  palette: ChartPalette,
): string | string[] {
  const nth = (i: number) => palette.series[i % palette.series.length] ?? palette.text;
  if (type === 'doughnut') return set.data.map((_, i) => nth(i));
  return set.tone === 'muted' ? palette.text : nth(index);
}
