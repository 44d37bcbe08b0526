// A user's daily counts (bars) against their own baseline: the mean and the maximum of the 30 days before each day.
import { useMemo } from 'react';
import { DAY_INCRS, dayLabels } from './ticks.ts';
import { UChart, uPlot, utc, type ChartOptions } from './UChart.tsx';

export default function DailyChart(props: {
  title: string;
  days: number[];
  counts: number[];
  mean: Array<number | null>;
  max: Array<number | null>;
  color: string;
  testId?: string;
}) {
  const data = useMemo(() => [props.days, props.counts, props.mean, props.max] as uPlot.AlignedData, [props.days, props.counts, props.mean, props.max]);
  const options = useMemo<ChartOptions>(
    () => ({
      title: props.title,
      height: 180,
      tzDate: utc,
      scales: { x: { time: true, range: (_u, min, max) => [min - 43200, max + 86400 + 43200] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
      // Day ticks never closer than a short date's width; the year only where it changes (and on the first tick).
      axes: [{ stroke: '#555', grid: { show: false }, space: 60, incrs: DAY_INCRS, values: dayLabels }, { stroke: '#555', size: 40, grid: { stroke: '#eee' } }],
      series: [
        {},
        { label: 'count', fill: props.color, stroke: props.color, paths: uPlot.paths.bars!({ size: [0.6, 60], align: 1 }), points: { show: false } },
        { label: 'baseline mean', stroke: '#333', width: 2, dash: [4, 4], points: { show: false }, spanGaps: true },
        { label: 'baseline max', stroke: '#c0392b', width: 1.5, points: { show: false }, spanGaps: true },
      ],
    }),
    [props.title, props.color],
  );
  return <UChart options={options} data={data} label={props.title} testId={props.testId} />;
}
