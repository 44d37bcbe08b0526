/**
 * The detection engine's core, shared by replay and incremental runs: evaluate rules over whole days, either for
 * every key from one time-ordered scan (replay) or for one rule and one key from that key's events (incremental).
 *
 * Both produce the alerts of the days they own as a pure function of the stored events, which is why a replay and
 * any sequence of incremental runs end with the same alerts, whatever order the events arrived in.
 */
import type { Alert, AlertStore } from '../alerts/types.ts';
import type { Config } from '../config/schema.ts';
import type { HistoryFields, StoredEvent } from '../events/schema.ts';
import type { EventQuery, Store } from '../store/types.ts';
import type { EventPage, ScanOptions } from '../store/detection-reads.ts';
import type { CompiledRule } from './compiled.ts';
import { buildEnv, type DetectEnv } from './env.ts';
import { EventView } from './event-view.ts';
import type { GroupedAlert } from './grouping.ts';
import { Grouper } from './grouping.ts';
import { TRIGGER } from './kinds/types.ts';
import { loadEnabledRules } from './rule-loader.ts';
import { RuleRunner, StreamDispatcher } from './runner.ts';

/** Receives alerts that are new or changed (the sinks, through their durable outbox). */
export interface AlertNotifier {
  deliver(alerts: readonly Alert[]): Promise<void>;
}

export interface EngineOptions {
  env?: DetectEnv;
  /** The rules to run (default: the enabled rules of the config). */
  rules?: CompiledRule[];
  /** Where new and changed alerts go (the caller wires the sinks: `cli/compose.ts`); null or absent: nowhere. */
  notifier?: AlertNotifier | null;
  /** Clock, Unix ms (for created_at/updated_at). */
  now?: () => number;
  log?: (message: string) => void;
}

export interface Engine {
  readonly config: Config;
  readonly env: DetectEnv;
  readonly rules: CompiledRule[];
  readonly alerts: AlertStore;
  readonly notifier: AlertNotifier | null;
  readonly now: () => number;
  readonly log: (message: string) => void;
}

const prepared = new WeakMap<Config, { env: DetectEnv; rules: CompiledRule[] }>();

/** A day of slack around loaded ranges: day boundaries move with the time zone's offset. */
const DAY = 86400;

/**
 * Assemble an engine: environment, rules and stores from the config unless given.
 *
 * @example const engine = createEngine(config, new MemoryAlertStore(), { notifier: null })
 */
export function createEngine(config: Config, alerts: AlertStore, opts: EngineOptions = {}): Engine {
  let env = opts.env;
  let rules = opts.rules;
  if (!env || !rules) {
    // Loading rule files, ASN data and the threat list once per config object: `collect --follow` runs the engine
    // every minute with the same config.
    let cached = prepared.get(config);
    if (!cached) {
      const e = buildEnv(config);
      prepared.set(config, (cached = { env: e, rules: loadEnabledRules(config, e) }));
    }
    env ??= cached.env;
    rules ??= env === cached.env ? cached.rules : loadEnabledRules(config, env);
  }
  return {
    config,
    env,
    rules,
    alerts,
    notifier: opts.notifier ?? null,
    now: opts.now ?? Date.now,
    log: opts.log ?? (() => {}),
  };
}

/**
 * Largest history and forward horizons among rules (seconds).
 *
 * @example maxHorizons(engine.rules) // { history: 2851200, forward: 172800 }
 */
export function maxHorizons(rules: readonly CompiledRule[]): { history: number; forward: number } {
  return {
    history: Math.max(0, ...rules.map((r) => r.horizons.history)),
    forward: Math.max(0, ...rules.map((r) => r.horizons.forward)),
  };
}

export interface EvaluateDaysOptions {
  onProgress?: (events: number) => void;
  /** Sees every event's history fields, in time order (see `StreamDispatcher`). */
  observe?: (h: HistoryFields) => void;
  /** Sees every page of the scan before the rules do (alert context keeps recent events from it: `RecentTape`). */
  onPage?: (page: EventPage) => void;
  /** How the scan reads its events. */
  scan?: ScanOptions;
  /** Days of history before d1 the scan must include besides the rules' own (alert context's day usage). */
  historyDays?: number;
  /** Seconds past a day's forward horizons to wait before handing its alerts over (for context read after them). */
  settleMargin?: number;
}

/**
 * Evaluate all rules over days [d1, d2] from one time-ordered scan of the store. Alerts are handed over day by day
 * as soon as no later event can change them (`onDays(alerts, from, to)`: exactly the alerts of days [from, to]),
 * so memory follows the number of active keys and one day's alerts, not the number of events.
 *
 * @example
 * await evaluateDays(store, engine, 19876, 19906, async (alerts, from, to) => { ... });
 */
export async function evaluateDays(
  store: Store,
  engine: Engine,
  d1: number,
  d2: number,
  onDays: (alerts: GroupedAlert[], from: number, to: number) => Promise<void>,
  opts: EvaluateDaysOptions = {},
): Promise<{ events: number }> {
  const tz = engine.env.tz;
  let held: GroupedAlert[] = [];
  const runners = engine.rules.map((r) => new RuleRunner(r, tz, { from: d1, to: d2 }, (a) => held.push(a)));
  const h = maxHorizons(engine.rules);
  const since = tz.dayStart(d1) - Math.max(h.history, (opts.historyDays ?? 0) * DAY) - DAY;
  const until = tz.dayStart(d2 + 1) + h.forward + DAY;
  const d = new StreamDispatcher(runners, opts.observe);
  const wait = h.forward + (opts.settleMargin ?? 0);
  let next = d1;
  const handOver = async (through: number) => {
    const ready = held.filter((a) => a.period <= through);
    held = held.filter((a) => a.period > through);
    await onDays(ready, next, through);
    next = through + 1;
  };
  for await (const page of store.detectionReads().scanPages(since, until, 10_000, opts.scan)) {
    opts.onPage?.(page);
    d.pushPage(page);
    opts.onProgress?.(d.eventsSeen);
    // Days whose firings are all decided: every event up to the end of the day plus the longest forward horizon
    // (and the caller's margin).
    const done = Math.min(tz.dayOf(d.settledBefore - wait - 1) - 1, d2);
    if (done >= next) {
      d.closeThrough(done);
      await handOver(done);
    }
  }
  d.finish();
  if (next <= d2) await handOver(d2);
  return { events: d.eventsSeen };
}

/**
 * Every event matching `q`, oldest first by (time, id).
 *
 * @example await allEvents(store, { actor: 'W1', since, until })
 */
export function allEvents(store: Store, q: EventQuery): Promise<StoredEvent[]> {
  return store.detectionReads().all(q);
}

/** The store query that finds one key's events for a rule (by indexed column when the key has one). */
function keyQuery(rule: CompiledRule, key: string, since: number, until: number, actions: ReadonlySet<string> | null): EventQuery {
  const q: EventQuery = { since, until };
  if (actions) q.actions = [...actions];
  if (rule.keyColumn === 'actor') q.actor = key;
  else if (rule.keyColumn === 'entity') q.entity = key;
  else if (rule.keyColumn === 'ip') q.ip = key;
  else if (rule.keyColumn === 'session') q.session = key;
  return q;
}

/**
 * Evaluate one rule for one key over days [d1, d2], from that key's stored events: the same alerts a replay of
 * those days gives for the key.
 *
 * @example const grouped = await evaluateKey(store, engine, rule, 'W0MATT0001', 19876, 19877)
 */
export async function evaluateKey(store: Store, engine: Engine, rule: CompiledRule, key: string, d1: number, d2: number): Promise<GroupedAlert[]> {
  const tz = engine.env.tz;
  const out: GroupedAlert[] = [];
  const dayFrom = tz.dayStart(d1);
  const dayTo = tz.dayStart(d2 + 1) - 1;
  // Nothing can fire without a trigger in the days (events are never deleted, so neither can an alert exist).
  const triggers = (await allEvents(store, keyQuery(rule, key, dayFrom - DAY, dayTo + DAY, rule.triggerActions)))
    .map((e) => new EventView(e))
    .filter((v) => rule.roles(v) & TRIGGER && rule.keyOf(v) === key);
  if (triggers.length === 0) return out;

  if (rule.newIpFastPath && rule.def.kind === 'new_value') {
    return evaluateNewIpKey(store, engine, rule, key, d1, d2, triggers);
  }
  const since = dayFrom - rule.horizons.history - DAY;
  const until = dayTo + rule.horizons.forward + DAY;
  const events = await allEvents(store, keyQuery(rule, key, since, until, rule.actions));
  const runner = new RuleRunner(rule, tz, { from: d1, to: d2 }, (a) => out.push(a));
  for (const e of events) {
    const v = new EventView(e);
    if (rule.keyColumn === null && rule.keyOf(v) !== key) continue;
    runner.push(v);
  }
  runner.flush();
  return out.filter((a) => a.key === key);
}

/**
 * `new_value` on `ip` with the default history: "did the user use this IP in [t - lookback, t - grace)?" is one
 * indexed count per trigger instead of reloading the user's month of events. Same definition as the streaming
 * evaluator (tested to agree).
 */
async function evaluateNewIpKey(store: Store, engine: Engine, rule: CompiledRule, key: string, d1: number, d2: number, triggers: EventView[]): Promise<GroupedAlert[]> {
  if (rule.def.kind !== 'new_value') return [];
  const { lookback, grace } = rule.def.new_value;
  const out: GroupedAlert[] = [];
  const grouper = new Grouper(rule, engine.env.tz, { from: d1, to: d2 }, (a) => out.push(a));
  for (const v of triggers) {
    const ip = v.norm.ip;
    if (!ip || rule.excluded(v)) continue;
    const seen = await store.countEvents({ actor: key, ip, since: v.norm.ts - lookback, until: v.norm.ts - grace - 1 });
    if (seen > 0) continue;
    grouper.add(key, { anchor: v.norm.ts, events: [v], severity: rule.severityOf(v), facts: { value: ip, lookback, grace } });
  }
  grouper.flush();
  return out;
}
