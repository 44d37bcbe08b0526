// A user's activity over the selected range, with their anomalies (red) and alerts (orange) marked on it.
import { useMemo } from 'react';
import type { Timeline } from '../types.ts';
import { UChart, uPlot, utc, type ChartOptions } from './UChart.tsx';

export default function TimelineChart({ timeline }: { timeline: Timeline }) {
  const data = useMemo(() => {
    const idx = (ts: number) => Math.min(timeline.t.length - 1, Math.max(0, Math.floor((ts - timeline.t[0]!) / timeline.bucket)));
    const anomalies = timeline.t.map(() => null as number | null);
    const alerts = timeline.t.map(() => null as number | null);
    for (const a of timeline.anomalies) anomalies[idx(a.ts)] = (anomalies[idx(a.ts)] ?? 0) + 1;
    for (const a of timeline.alerts) {
      const i = idx(a.first_ts);
      alerts[i] = Math.max(timeline.n[i] ?? 0, 1);
    }
    return [timeline.t, timeline.n, anomalies, alerts] as uPlot.AlignedData;
  }, [timeline]);
  const options = useMemo<ChartOptions>(
    () => ({
      height: 160,
      tzDate: utc,
      scales: { x: { time: true, range: () => [timeline.t[0] ?? timeline.since, (timeline.t[timeline.t.length - 1] ?? timeline.until) + timeline.bucket] } },
      axes: [{ stroke: '#555', grid: { show: false } }, { stroke: '#555', size: 40, grid: { stroke: '#eee' } }],
      series: [
        {},
        { label: 'events', fill: '#9db4d3', stroke: '#9db4d3', paths: uPlot.paths.bars!({ size: [0.9, 60], align: 1 }), points: { show: false } },
        { label: 'anomalies', fill: '#c0392b', stroke: '#c0392b', paths: uPlot.paths.bars!({ size: [0.5, 30], align: 1 }), points: { show: false } },
        { label: 'alerts', stroke: '#e67e22', paths: () => null, points: { show: true, size: 12, fill: '#e67e22', stroke: '#8a4b14' } },
      ],
    }),
    [timeline],
  );
  return <UChart options={options} data={data} label="Activity timeline with anomalies and alerts" testId="timeline" />;
}
