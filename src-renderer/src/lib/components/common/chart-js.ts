// Chart.js is loaded on demand, the first time a chart is drawn (only the Spend screen has charts), so the first-load
// script does not carry it.
import type { Chart } from 'chart.js';

let loading: Promise<typeof Chart> | null = null;

/** Chart.js with the controllers and elements Quire's charts use registered, loaded once. */
export function loadChartJs(): Promise<typeof Chart> {
  loading ??= import('chart.js').then((m) => {
    m.Chart.register(
      m.BarController,
      m.BarElement,
      m.CategoryScale,
      m.LinearScale,
      m.DoughnutController,
      m.ArcElement,
      m.Tooltip,
      m.Legend,
    );
    return m.Chart;
  });
  loading.catch(() => (loading = null));
  return loading;
}
