import { describe, expect, it } from 'vitest';
import { seriesColor } from './chart-colors';

const palette = { text: 'grey', series: ['brown', 'green', 'amber'] };

describe('seriesColor', () => {
  it('colours bar series in the theme’s order, and a muted one (money only held) grey, never the gauge’s green', () => {
    const spent = { label: 'Spent', data: [1, 2] };
    const reserved = { label: 'Reserved', data: [0, 1], tone: 'muted' as const };
    expect([seriesColor('bar', spent, 0, palette), seriesColor('bar', reserved, 1, palette)]).toEqual([
      'brown',
      'grey',
    ]);
    expect(seriesColor('bar', { label: 'Calls', data: [3] }, 1, palette)).toBe('green');
  });

  it('gives a doughnut one colour per slice', () => {
    expect(seriesColor('doughnut', { label: 'Calls', data: [1, 2, 3, 4] }, 0, palette)).toEqual([
      'brown',
      'green',
      'amber',
      'brown',
    ]);
  });
});
