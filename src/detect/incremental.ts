/**
 * Incremental detection, run after events are stored (collect, ingest, the demo; wired in `cli/compose.ts`).
 *
 * State: the store itself plus one mark, the last event sequence number processed (`detect.seq` in the store's
 * state table), written only after the alerts it led to are stored. For the events after the mark:
 * 1. each rule finds the keys they concern and the time they span;
 * 2. the days whose firings those events can change ([t - forward, t + history], per the rule's horizons) are
 *    recomputed for that key from the key's stored events, and the stored alerts of those days are replaced;
 * 3. alerts of the same users whose context those events change get their context rebuilt;
 * 4. the mark moves; new and changed alerts go to the sinks (pending ones are retried on every run).
 * A crash before step 4 repeats the run, which finds the alerts already as they should be: nothing is missed, and
 * nothing is notified twice. A large backlog (first run, bulk import) is replayed over its time span instead.
 */
import { AER_ACTION } from '../alerts/history.ts';
import type { Alert } from '../alerts/types.ts';
import type { Store } from '../store/types.ts';
import { PLACEHOLDER_ACTORS } from './compile.ts';
import type { CompiledRule } from './compiled.ts';
import { refreshedContext } from './drafts.ts';
import { evaluateKey, maxHorizons, type Engine } from './engine.ts';
import { EventView } from './event-view.ts';
import { draftsOf, notifyPending, replayWithEngine } from './replay.ts';

export const MARK_KEY = 'detect.seq';

interface Span {
  min: number;
  max: number;
}

const widen = (m: Map<string, Span>, key: string, ts: number) => {
  const s = m.get(key);
  if (!s) m.set(key, { min: ts, max: ts });
  else {
    if (ts < s.min) s.min = ts;
    if (ts > s.max) s.max = ts;
  }
};

/**
 * Process the events stored since the last run with an assembled engine (its alert store and notifier wired by
 * the caller: `cli/compose.ts`); returns the alerts created or changed (also handed to the notifier). More new
 * events than `bulkThreshold` are replayed over their time span rather than key by key.
 *
 * @example
 * await store.appendEvents(batch);
 * const changed = await incrementalWithEngine(store, engine);
 */
export async function incrementalWithEngine(store: Store, engine: Engine, bulkThreshold = 20_000): Promise<Alert[]> {
  let mark = Number((await store.getState(MARK_KEY)) ?? '0');
  const target = await store.maxSeq();
  const changed = new Map<string, Alert>();
  if (mark >= target) {
    await notifyPending(engine);
    return [];
  }
  const byAction = new Map<string, CompiledRule[]>();
  const anyAction = engine.rules.filter((r) => !r.actions);
  for (const r of engine.rules) for (const a of r.actions ?? []) byAction.set(a, [...(byAction.get(a) ?? []), r]);

  const affected = new Map<CompiledRule, Map<string, Span>>(engine.rules.map((r) => [r, new Map()]));
  const users = new Map<string, Span>();
  let total = 0;
  let span: Span | null = null;
  let bulk = false;
  while (mark < target) {
    const batch = (await store.eventsAfterSeq(mark, 10_000)).filter((e) => e.seq <= target);
    if (batch.length === 0) break;
    for (const e of batch) {
      const n = e.norm;
      total++;
      span = span ? { min: Math.min(span.min, n.ts), max: Math.max(span.max, n.ts) } : { min: n.ts, max: n.ts };
      if (!bulk) {
        const v = new EventView(e);
        for (const r of [...(byAction.get(n.action) ?? []), ...anyAction]) {
          if (r.roles(v) === 0) continue;
          const key = r.keyOf(v);
          if (key !== null && !r.excluded(v)) widen(affected.get(r)!, key, n.ts);
        }
        if (n.actorId && !PLACEHOLDER_ACTORS.has(n.actorId)) widen(users, n.actorId, n.ts);
        if (n.action === AER_ACTION && n.entityId) widen(users, n.entityId, n.ts);
        if (total > bulkThreshold) bulk = true;
      }
    }
    mark = batch[batch.length - 1]!.seq;
  }

  if (bulk && span) {
    const h = maxHorizons(engine.rules);
    const newest = (await store.newestEventTime()) ?? span.max;
    // New events can change firings up to the history horizon later, and alert context up to context_days later.
    const reach = Math.max(h.history, (engine.config.detect.context_days + 1) * 86400);
    const report = await replayWithEngine(store, engine, { since: span.min - Math.max(h.forward, 86400), until: Math.min(span.max + reach, newest) });
    for (const a of [...report.result.created, ...report.result.updated]) changed.set(a.id, a);
  } else {
    const tz = engine.env.tz;
    for (const [rule, keys] of affected) {
      for (const [key, s] of keys) {
        const d1 = tz.dayOf(s.min - rule.horizons.forward);
        const d2 = tz.dayOf(s.max + rule.horizons.history);
        const grouped = await evaluateKey(store, engine, rule, key, d1, d2);
        const drafts = await draftsOf(store, engine, grouped);
        const r = await engine.alerts.replace({ rules: [rule.id], key, periodFrom: d1, periodTo: d2 }, drafts, engine.now());
        for (const a of [...r.created, ...r.updated]) changed.set(a.id, a);
      }
    }
    await refreshContexts(store, engine, users, changed);
  }

  await store.putState(MARK_KEY, String(mark));
  await notifyPending(engine);
  return [...changed.values()].sort((a, b) => a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1));
}

/**
 * Rebuild the context of alerts whose users have new events in the context's reach: the history window before the
 * alert, the alert itself, and the day after it (a late AER reset).
 */
async function refreshContexts(store: Store, engine: Engine, users: Map<string, Span>, skip: Map<string, Alert>): Promise<void> {
  const days = engine.config.detect.context_days;
  const rules = new Map(engine.rules.map((r) => [r.id, r]));
  for (const [user, s] of users) {
    const candidates = await engine.alerts.forUser(user, s.min - 86400, s.max + (days + 2) * 86400);
    for (const a of candidates) {
      const rule = rules.get(a.rule);
      if (!rule || skip.has(a.id) || a.first_ts - (days + 1) * 86400 > s.max) continue;
      const context = await refreshedContext(store, engine.env, rule, a);
      if (JSON.stringify(context) !== JSON.stringify(a.context)) await engine.alerts.setContext(a.id, context, engine.now());
    }
  }
}
