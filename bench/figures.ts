/**
 * The benchmark's figures, side by side per backend, each with its ratio to the same figure at 1,000,000 events
 * when run at another size. The 1M figures are kept in `<dir>/baseline-<backend>.json` by a run with
 * BENCH_EVENTS=1000000.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from './backends.ts';

export const BASELINE_EVENTS = 1_000_000;

interface Meta {
  unit: string;
  target: string;
}

/** Figures by name, per backend, in the order first recorded. */
export class Figures {
  private readonly meta = new Map<string, Meta>();
  private readonly values = new Map<Backend, Map<string, number>>();

  /**
   * @example figures.add('sqlite', 'replay', 310_000, 'events/s', '>= 250,000')
   */
  add(backend: Backend, name: string, value: number, unit: string, target = ''): void {
    if (!this.meta.has(name)) this.meta.set(name, { unit, target });
    if (!this.values.has(backend)) this.values.set(backend, new Map());
    this.values.get(backend)!.set(name, value);
  }

  /** Save each backend's figures as its baseline (a 1M run), or read the baselines to compare against. */
  baselines(dir: string, events: number): Map<Backend, Record<string, number>> {
    const out = new Map<Backend, Record<string, number>>();
    for (const [backend, vals] of this.values) {
      const path = join(dir, `baseline-${backend}.json`);
      if (events === BASELINE_EVENTS) writeFileSync(path, `${JSON.stringify(Object.fromEntries(vals), null, 2)}\n`);
      else if (existsSync(path)) out.set(backend, JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>);
    }
    return out;
  }

  /** The table: one row per figure, a column per backend (and its ratio to the 1M figure when there is one). */
  table(baselines: Map<Backend, Record<string, number>>): string {
    const backends = [...this.values.keys()];
    const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en') : String(+v.toFixed(2)));
    const head = ['figure', 'unit', ...backends.flatMap((b) => (baselines.has(b) ? [b, `${b} / 1M`] : [b])), 'target'];
    const rows = [...this.meta].map(([name, m]) => [
      name,
      m.unit,
      ...backends.flatMap((b) => {
        const v = this.values.get(b)!.get(name);
        const base = baselines.get(b);
        if (!base) return [fmt(v)];
        const ref = base[name];
        return [fmt(v), v !== undefined && ref ? `${(v / ref).toFixed(2)}x` : '-'];
      }),
      m.target,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
    return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
  }
}
