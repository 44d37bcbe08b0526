// The stacked histogram's data: per-category counts as cumulative layers (uPlot draws bars, not stacks) and the
// anomaly markers, kept apart from the chart so they can be tested.

/** Distinct colours for the category layers, in order; they repeat past the end. */
export const CATEGORY_COLOURS = ['#4a78b3', '#e39b3a', '#5aa469', '#8e6bb8', '#c9b037', '#3aa6b9', '#b5657a', '#7f8c8d', '#a0522d', '#2e8b57', '#6a5acd', '#cd853f'];

/**
 * Layers to draw back to front: layer i is the sum of categories 0..k for k = n-1-i, so drawing them in order, each
 * over the previous, shows each category as its own band. `marks` is the bucket total where the bucket has anomalies
 * (a marker at the top of the bar), null elsewhere.
 *
 * @example
 * stackLayers([{ category: 'user', n: [1, 2] }, { category: 'anomaly', n: [0, 1] }], [0, 1])
 * // { layers: [{ category: 'anomaly', values: [1, 3] }, { category: 'user', values: [1, 2] }], marks: [null, 3] }
 */
export function stackLayers(categories: ReadonlyArray<{ category: string; n: readonly number[] }>, anomalies: readonly number[]) {
  const len = anomalies.length;
  const cum: number[][] = [];
  let run = new Array<number>(len).fill(0);
  for (const c of categories) {
    run = run.map((v, i) => v + (c.n[i] ?? 0));
    cum.push(run);
  }
  const layers = categories.map((c, i) => ({ category: c.category, colour: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length]!, values: cum[i]! })).reverse();
  const top = cum[cum.length - 1] ?? new Array<number>(len).fill(0);
  const marks = anomalies.map((a, i) => (a > 0 ? top[i]! : null));
  return { layers, marks };
}
