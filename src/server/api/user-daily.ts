/**
 * A user page's daily series: `file_downloaded` and `excessive_downloads` per day of the configured time zone, each
 * against a baseline. The `excessive_downloads` line is the limit of the baseline rule itself (`limitAt` of the
 * threshold kind, with the rule as configured: lookback, fallback, time zone), so the chart shows the very number
 * the rule's alert for that day names; `file_downloaded` has no rule and keeps the plain mean and max of the
 * `BASELINE_DAYS` before each day.
 */
import { bucketIndexer, limitAt, type Limit } from '../../detect/kinds/threshold.ts';
import type { RuleDef, ThresholdRuleDef } from '../../detect/rule-schema.ts';
import type { PersonRow } from '../../store/entity-reads.ts';
import type { Series, UserSummary } from '../api-types.ts';
import type { ServerDeps } from '../context.ts';

/** The rule whose limit the `excessive_downloads` chart draws. */
export const BASELINE_RULE = 'excessive-downloads-over-baseline';
/** Days before each day that make the plain baseline (file_downloaded; excessive_downloads without the rule). */
const BASELINE_DAYS = 30;

type ThresholdSpec = ThresholdRuleDef['threshold'];

/**
 * The baseline rule's threshold block when it can be drawn per day (enabled, fixed buckets of whole days).
 *
 * @example dailyRule(deps.rules)?.baseline?.lookback // 2592000
 */
export function dailyRule(rules: readonly RuleDef[]): ThresholdSpec | null {
  const r = rules.find((d) => d.id === BASELINE_RULE);
  if (r?.kind !== 'threshold' || r.threshold.bucket === undefined || r.threshold.bucket < 86400) return null;
  return r.threshold;
}

/** Mean and max of the previous `BASELINE_DAYS` values (from the user's first day on), per day from `offset`. */
function plainBaseline(counts: number[], offset: number, firstIdx: number): Series {
  const mean: Array<number | null> = [];
  const max: Array<number | null> = [];
  for (let i = offset; i < counts.length; i++) {
    const prior = counts.slice(Math.max(firstIdx, i - BASELINE_DAYS), i);
    mean.push(prior.length ? +(prior.reduce((a, b) => a + b, 0) / prior.length).toFixed(2) : null);
    max.push(prior.length ? Math.max(...prior) : null);
  }
  return { mean, max };
}

/**
 * The daily series of `who` for the days of `since..until`.
 *
 * @example const daily = await dailySeries(deps, who, since, until); daily.baseline.excessive_downloads.max.at(-1)
 */
export async function dailySeries(deps: ServerDeps, who: PersonRow, since: number, until: number): Promise<UserSummary['daily']> {
  const tz = deps.env.tz;
  const d0 = tz.dayOf(since);
  const d1 = tz.dayOf(until);
  const rule = dailyRule(deps.rules);
  const bucketOf = rule ? bucketIndexer(rule, tz) : null;
  const bucketDays = rule ? rule.bucket! / 86400 : 1;
  const lookbackBuckets = rule?.baseline ? Math.ceil(rule.baseline.lookback / rule.bucket!) : 0;
  // The first day any baseline needs: the plain one's, or the first day of the rule's first lookback bucket.
  const ruleFirstDay = bucketOf ? (bucketOf(tz.dayStart(d0)) - lookbackBuckets) * bucketDays : d0;
  const base0 = Math.min(d0 - BASELINE_DAYS, ruleFirstDay);
  const len = d1 - base0 + 1;
  const downloads = new Array<number>(len).fill(0);
  const excessive = new Array<number>(len).fill(0);
  const perBucket = new Map<number, number>();
  for (const s of await deps.store.entityReads().userActivity(who.id, tz.dayStart(base0), until)) {
    const i = tz.dayOf(s.slot) - base0;
    if (i < 0 || i >= len) continue;
    downloads[i]! += s.file_downloaded;
    excessive[i]! += s.excessive_downloads;
    if (bucketOf && s.excessive_downloads) {
      const b = bucketOf(s.slot);
      perBucket.set(b, (perBucket.get(b) ?? 0) + s.excessive_downloads);
    }
  }
  const offset = d0 - base0;
  const firstIdx = Math.max(0, tz.dayOf(who.first_ts) - base0);
  const days = Array.from({ length: d1 - d0 + 1 }, (_, i) => d0 + i);
  const limits: Limit[] = bucketOf ? days.map((d) => limitAt(rule!, bucketOf(tz.dayStart(d)), (b) => perBucket.get(b) ?? 0)) : [];
  return {
    days: days.map((d) => tz.dayLabel(d)),
    day_start: days.map((d) => tz.dayStart(d)),
    timezone: tz.name,
    file_downloaded: downloads.slice(offset),
    excessive_downloads: excessive.slice(offset),
    baseline_days: BASELINE_DAYS,
    baseline: {
      file_downloaded: plainBaseline(downloads, offset, firstIdx),
      excessive_downloads: rule
        ? { mean: limits.map((l) => l.history?.mean ?? null), max: limits.map((l) => l.limit) }
        : plainBaseline(excessive, offset, firstIdx),
    },
    rule: rule
      ? {
          id: BASELINE_RULE,
          bucket_days: bucketDays,
          lookback_days: lookbackBuckets * bucketDays,
          fallback: rule.baseline?.fallback ?? null,
          basis: limits.map((l) => l.basis),
        }
      : null,
  };
}
