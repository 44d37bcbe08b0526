/**
 * The deterministic organisation generator: a seed and an end time in, a week of audit log out (with the story of
 * `story.ts` always on the last day). Same options, same bytes: every random choice comes from streams derived from
 * the seed, and "now" is an input.
 */
import { indexOrg, personActivity } from './activity.ts';
import { adminActivity } from './admin.ts';
import { backgroundAnomalies } from './anomalies.ts';
import type { Json, SimEvent } from './builders.ts';
import { inRange, type Range } from './calendar.ts';
import { applyDrift, DEFAULT_DRIFT, type DriftRates } from './drift.ts';
import { markLate } from './late.ts';
import { buildOrg, type SimUser } from './org.ts';
import { createRng } from './random.ts';
import { STORY, storyEvents, storyStart, storyUser } from './story.ts';

export { actionCatalogue, knownActions, schemas } from './catalogue.ts';
export { STORY } from './story.ts';
export type { SimEvent } from './builders.ts';
export type { SimUser } from './org.ts';

export interface GenerateOptions {
  /** Default 42. */
  seed?: number;
  /** Length of the generated range in days, ending at `end`. Default 8. */
  days?: number;
  /** People in the organisation, Matt included. Default 300. */
  users?: number;
  /** Unix seconds of the last second generated. Default: now, rounded down to the minute. */
  end?: number;
  /** Fraction of events (never the story's) that arrive late. Default 0. */
  lateFraction?: number;
  /** How long after its `date_create` a late event becomes visible, seconds. Default 1800. */
  lateDelaySec?: number;
  /** Append Slack's automatic session reset after Matt's scraping. Default true. */
  storyAerReset?: boolean;
  /** Override the drift rates (see `drift.ts`). */
  drift?: Partial<DriftRates>;
}

export interface GeneratedOrg {
  users: SimUser[];
  /** Sorted by `date_create` then `id`, ascending. */
  events: SimEvent[];
  /** The generated range, both ends inclusive. */
  range: Range;
  /** Ids of the story's events (never late, never drifted). */
  storyIds: string[];
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * Compare two events the way the generator orders them: oldest first, ties by id.
 *
 * @example
 * events.sort((a, b) => byTimeThenId(a.event, b.event));
 */
export function byTimeThenId(a: Json, b: Json): number {
  const d = (a.date_create as number) - (b.date_create as number);
  if (d !== 0) return d;
  const x = String(a.id);
  const y = String(b.id);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Generate an organisation and its audit log.
 *
 * @example
 * const { users, events } = generateOrg({ seed: 7, users: 20, days: 2, end: 1767225600 });
 * events.filter((e) => e.event.action === 'anomaly').length; // a handful, Matt's among them
 */
export function generateOrg(opts: GenerateOptions = {}): GeneratedOrg {
  const seed = checkInt('seed', opts.seed ?? 42, 0);
  const days = checkInt('days', opts.days ?? 8, 1);
  const userCount = checkInt('users', opts.users ?? 300, 1);
  const end = checkInt('end', opts.end ?? Math.floor(Date.now() / 60_000) * 60, 86400 * 366);
  const range: Range = { start: end - days * 86400, end };
  const root = createRng(seed);

  const matt = storyUser();
  const org = buildOrg(root.fork('org'), userCount - 1, [matt]);
  const idx = indexOrg(org);
  const cast = new Set([STORY.userId]);
  const t0 = storyStart(end);
  const plain: Json[] = [];

  const activity = root.fork('activity');
  for (const u of org.users) {
    personActivity(org, idx, activity.fork(u.id), u, range, (ev) => {
      // Matt's ordinary day stops when the scraping starts; what follows is the story.
      if (u.id === STORY.userId && (ev.date_create as number) >= t0 - 60) return;
      plain.push(ev);
    });
  }
  adminActivity(org, idx, root.fork('admin'), range, (ev) => plain.push(ev), cast);
  backgroundAnomalies(org, idx, root.fork('anomalies'), range, (ev) => plain.push(ev), cast);

  const drift = root.fork('drift');
  const rates = { ...DEFAULT_DRIFT, ...opts.drift };
  for (const ev of plain) applyDrift(ev, drift, rates);

  const story = storyEvents(org, end, range.start, { aerReset: opts.storyAerReset ?? true }).filter((ev) =>
    inRange(range, ev.date_create as number),
  );
  const all = [...plain, ...story].sort(byTimeThenId);
  const events: SimEvent[] = all.map((event) => ({ event, raw: JSON.stringify(event) }));
  const storyIds = story.map((ev) => String(ev.id));
  markLate(events, opts.lateFraction ?? 0, opts.lateDelaySec ?? 1800, root.fork('late'), new Set(storyIds));
  return { users: org.users, events, range, storyIds };
}
