// The event-volume histogram of the Audit Logs view (and an IP's page): bars stacked by action category, anomalies
// marked on top, a legend under it. Drag across it to zoom to that range.
import { useMemo } from 'react';
import type { Volume } from '../types.ts';
import { stackLayers } from './stack.ts';
import { UChart, uPlot, utc, type ChartOptions } from './UChart.tsx';

const ANOMALY_COLOUR = '#c0392b';

export default function Histogram(props: { volume: Volume; onBrush: (since: number, until: number) => void; testId?: string }) {
  const { volume, onBrush } = props;
  const stack = useMemo(() => stackLayers(volume.categories, volume.anomalies), [volume]);
  const data = useMemo(() => [volume.t, ...stack.layers.map((l) => l.values), stack.marks] as uPlot.AlignedData, [volume, stack]);
  const options = useMemo<ChartOptions>(
    () => ({
      height: 140,
      tzDate: utc,
      legend: { show: false },
      padding: [10, 8, 0, 0],
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      scales: { x: { time: true, range: () => [volume.t[0] ?? volume.since, (volume.t[volume.t.length - 1] ?? volume.until) + volume.bucket] } },
      axes: [{ stroke: '#555', grid: { show: false } }, { stroke: '#555', size: 50, grid: { stroke: '#eee' } }],
      series: [
        {},
        ...stack.layers.map((l) => ({
          label: l.category,
          fill: l.colour,
          stroke: l.colour,
          paths: uPlot.paths.bars!({ size: [0.9, 80], align: 1 }),
          points: { show: false },
        })),
        {
          label: 'anomalies',
          stroke: ANOMALY_COLOUR,
          width: 0,
          paths: () => null,
          points: { show: true, size: 7, fill: ANOMALY_COLOUR, stroke: ANOMALY_COLOUR },
        },
      ],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (u.select.width < 3) return;
            const from = Math.floor(u.posToVal(u.select.left, 'x'));
            const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onBrush(from, to);
          },
        ],
      },
    }),
    [volume, stack, onBrush],
  );
  const anomalies = volume.anomalies.reduce((a, b) => a + b, 0);
  return (
    <>
      <UChart options={options} data={data} label="Event volume over the selected range, stacked by action category" testId={props.testId ?? 'histogram'} />
      <ul className="chart-legend" data-testid="histogram-legend">
        {[...stack.layers].reverse().map((l) => (
          <li key={l.category}>
            <span className="swatch" style={{ background: l.colour }} /> {l.category.replaceAll('_', ' ')}
          </li>
        ))}
        {anomalies > 0 && (
          <li>
            <span className="swatch dot" style={{ background: ANOMALY_COLOUR }} /> anomalies ({anomalies})
          </li>
        )}
      </ul>
    </>
  );
}
