// The event-volume histogram of the Audit Logs view. Drag across it to zoom the view to that range.
import { useMemo } from 'react';
import type { Volume } from '../types.ts';
import { UChart, uPlot, utc, type ChartOptions } from './UChart.tsx';

export default function Histogram(props: { volume: Volume; onBrush: (since: number, until: number) => void }) {
  const { volume, onBrush } = props;
  const data = useMemo(() => [volume.t, volume.n] as uPlot.AlignedData, [volume]);
  const options = useMemo<ChartOptions>(
    () => ({
      height: 120,
      tzDate: utc,
      legend: { show: false },
      padding: [8, 8, 0, 0],
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      scales: { x: { time: true, range: () => [volume.t[0] ?? volume.since, (volume.t[volume.t.length - 1] ?? volume.until) + volume.bucket] } },
      axes: [{ stroke: '#555', grid: { show: false } }, { stroke: '#555', size: 50, grid: { stroke: '#eee' } }],
      series: [
        {},
        {
          label: 'events',
          fill: '#4a78b3',
          stroke: '#4a78b3',
          paths: uPlot.paths.bars!({ size: [0.9, 80], align: 1 }),
          points: { show: false },
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
    [volume, onBrush],
  );
  return <UChart options={options} data={data} label="Event volume over the selected range" testId="histogram" />;
}
