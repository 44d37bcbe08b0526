/**
 * The histogram's stack: each bucket's counts split by action category (the categories of the action catalogue
 * Slack publishes, `sim/catalogue.ts`; `other` for actions it does not list) and the anomalies marked. Works on the
 * grouped counts the store already returns per action, so it adds nothing per event.
 */
import { actionCatalogue } from '../sim/catalogue.ts';
import type { VolumeCount } from '../store/ui-reads.ts';

/** Actions not in the catalogue (Slack adds actions over time) are stacked under this name, last. */
export const OTHER_CATEGORY = 'other';
/** The action Slack's anomaly events carry: marked on the histogram. */
const ANOMALY = 'anomaly';

let index: { order: string[]; of: Map<string, string> } | null = null;

/** Category order and action → category, built once from the catalogue. */
function catalogueIndex(): { order: string[]; of: Map<string, string> } {
  if (index) return index;
  const cat = actionCatalogue();
  const of = new Map<string, string>();
  for (const [category, names] of Object.entries(cat)) for (const n of names) if (!of.has(n)) of.set(n, category);
  index = { order: [...Object.keys(cat), OTHER_CATEGORY], of };
  return index;
}

/**
 * The catalogue category of an action; `other` when the catalogue does not list it.
 *
 * @example actionCategory('file_downloaded') // 'file'
 * @example actionCategory('brand_new_action') // 'other'
 */
export function actionCategory(action: string): string {
  return catalogueIndex().of.get(action) ?? OTHER_CATEGORY;
}

/** Bucket counts per category (catalogue order, only categories with events) and anomalies per bucket. */
export interface CategoryStack {
  categories: Array<{ category: string; n: number[] }>;
  anomalies: number[];
}

/**
 * Accumulates per-action bucket counts into totals, a stack by category and the anomaly counts. `add` may be
 * called several times (rollup hours, then the partial hours from the events); counts outside the grid are dropped.
 *
 * @example
 * const s = new VolumeStack(0, 3600, 2);
 * s.add([{ start: 0, action: 'user_login', n: 3 }, { start: 3600, action: 'anomaly', n: 1 }]);
 * s.totals() // [3, 1]
 * s.stack() // { categories: [{ category: 'user', n: [3, 0] }, { category: 'anomaly', n: [0, 1] }], anomalies: [0, 1] }
 */
export class VolumeStack {
  private readonly n: number[];
  private readonly byCategory = new Map<string, number[]>();
  private readonly anomalies: number[];

  constructor(
    private readonly first: number,
    private readonly width: number,
    private readonly count: number,
  ) {
    this.n = new Array<number>(count).fill(0);
    this.anomalies = new Array<number>(count).fill(0);
  }

  add(counts: readonly VolumeCount[]): void {
    for (const c of counts) {
      const i = Math.floor((c.start - this.first) / this.width);
      if (i < 0 || i >= this.count) continue;
      this.n[i]! += c.n;
      const cat = actionCategory(c.action);
      let row = this.byCategory.get(cat);
      if (!row) this.byCategory.set(cat, (row = new Array<number>(this.count).fill(0)));
      row[i]! += c.n;
      if (c.action === ANOMALY) this.anomalies[i]! += c.n;
    }
  }

  /** Events per bucket, all actions. */
  totals(): number[] {
    return this.n;
  }

  stack(): CategoryStack {
    const categories = catalogueIndex()
      .order.filter((c) => this.byCategory.has(c))
      .map((category) => ({ category, n: this.byCategory.get(category)! }));
    return { categories, anomalies: this.anomalies };
  }
}
