// A thin React wrapper around uPlot (MIT, ~45 kB): creates the chart once per data/options change and keeps it as
// wide as its container. Loaded lazily with the pages that draw charts, so the first page load stays small.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartOptions = Omit<uPlot.Options, 'width'>;

/** Axis labels in UTC, like the rest of the UI. */
export const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

export function UChart(props: { options: ChartOptions; data: uPlot.AlignedData; label: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current!;
    chart.current = new uPlot({ ...props.options, width: Math.max(300, el.clientWidth) } as uPlot.Options, props.data, el);
    const ro = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(300, el.clientWidth), height: props.options.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [props.options, props.data]);
  return <div className="chart" ref={box} role="img" aria-label={props.label} data-testid={props.testId} />;
}

export { uPlot };
