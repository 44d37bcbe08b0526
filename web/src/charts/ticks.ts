// Day axes that stay readable: tick spacing and short date labels (the daily charts of the user page).

/** Tick steps in days: one day, then coarser as the chart narrows or the range grows. */
export const DAY_INCRS = [1, 2, 7, 14, 30, 91, 182, 365].map((d) => d * 86400);

/**
 * Tick labels: `Jan 14`, with the year on the first tick and where it changes.
 *
 * @example dayLabels(null, [1768348800, 1768435200]) // ['2026 Jan 14', 'Jan 15']
 */
export function dayLabels(_u: unknown, ticks: number[]): string[] {
  let year = '';
  return ticks.map((t) => {
    const d = new Date(t * 1000);
    const y = String(d.getUTCFullYear());
    const md = `${d.toLocaleString('en', { month: 'short', timeZone: 'UTC' })} ${d.getUTCDate()}`;
    const label = y !== year ? `${y} ${md}` : md;
    year = y;
    return label;
  });
}
