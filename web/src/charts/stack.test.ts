import { describe, expect, it } from 'vitest';
import { stackLayers } from './stack.ts';

describe('stackLayers', () => {
  it('draws cumulative layers back to front and marks buckets with anomalies at their top', () => {
    const r = stackLayers([{ category: 'user', n: [1, 2, 0] }, { category: 'file', n: [4, 0, 0] }, { category: 'anomaly', n: [0, 1, 0] }], [0, 1, 0]);
    expect(r.layers.map((l) => [l.category, l.values])).toEqual([
      ['anomaly', [5, 3, 0]],
      ['file', [5, 2, 0]],
      ['user', [1, 2, 0]],
    ]);
    expect(r.marks).toEqual([null, 3, null]);
    expect(new Set(r.layers.map((l) => l.colour)).size).toBe(3);
  });
  it('handles no categories', () => {
    expect(stackLayers([], [0, 0])).toEqual({ layers: [], marks: [null, null] });
  });
});

describe('dayLabels', () => {
  it('writes short dates with the year on the first tick and where it changes', async () => {
    const { dayLabels } = await import('./ticks.ts');
    const d = (iso: string) => Date.parse(iso) / 1000;
    expect(dayLabels(null, [d('2025-12-31'), d('2026-01-01'), d('2026-01-02')])).toEqual(['2025 Dec 31', '2026 Jan 1', 'Jan 2']);
  });
});
