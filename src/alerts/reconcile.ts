/**
 * The diff between the alerts stored for a scope and a fresh recomputation of that scope, shared by every
 * `AlertStore` backend so they all keep the same promises:
 * - an alert the analyst has worked on keeps its status, note and creation time;
 * - its version (what the sinks see) changes only when what it says changes, never for context alone;
 * - when late events move an alert's first firing (new id), the new alert inherits the status of the one it absorbs,
 *   and its status history (`moved`: the backends re-key the absorbed alert's log to the new id);
 * - an alert that no longer fires is removed if still open, kept if an analyst decided something about it.
 */
import { isoSeconds } from '../util/time.ts';
import { contextJson, withContextOf } from './context-text.ts';
import type { Alert, AlertDraft, AlertStatus } from './types.ts';

export interface PlannedWrite {
  alert: Alert;
  /** What the alert says changed (or it is new): hand this version to the sinks. */
  notify: boolean;
}

export interface ReplacePlan {
  writes: PlannedWrite[];
  deletes: string[];
  /** Absorbed alert → the alert absorbing it: the status history moves along (the absorbed alert is deleted). */
  moved: Array<{ from: string; to: string }>;
  created: Alert[];
  updated: Alert[];
  unchanged: number;
}

/** The fields whose change is news to whoever receives the alert. */
function coreSignature(a: Pick<Alert, 'severity' | 'title' | 'first_ts' | 'last_ts' | 'event_ids' | 'event_count' | 'user_id' | 'user_name' | 'user_email'>): string {
  return JSON.stringify([a.severity, a.title, a.first_ts, a.last_ts, a.event_count, a.user_id, a.user_name, a.user_email, a.event_ids]);
}

const overlaps = (a: { first_ts: number; last_ts: number }, b: { first_ts: number; last_ts: number }) =>
  a.first_ts <= b.last_ts && b.first_ts <= a.last_ts;

/** What the store adds to a draft. */
type StoreFields = Pick<Alert, 'status' | 'status_note' | 'status_by' | 'created_at' | 'updated_at' | 'version'>;

/** The alert a draft becomes, field by field: a spread would read (and parse) a context kept as text. */
function alertOf(d: AlertDraft, s: StoreFields): Alert {
  return withContextOf(d, {
    id: d.id,
    rule: d.rule,
    severity: d.severity,
    title: d.title,
    status: s.status,
    status_note: s.status_note,
    status_by: s.status_by,
    user_id: d.user_id,
    user_name: d.user_name,
    user_email: d.user_email,
    first_seen: isoSeconds(d.first_ts),
    last_seen: isoSeconds(d.last_ts),
    first_ts: d.first_ts,
    last_ts: d.last_ts,
    event_ids: d.event_ids,
    event_count: d.event_count,
    tags: d.tags,
    created_at: s.created_at,
    updated_at: s.updated_at,
    key: d.key,
    period: d.period,
    anchor: d.anchor,
    version: s.version,
  });
}

/** Statuses an analyst sets, strongest first: the one an absorbing alert inherits. */
const DECIDED: AlertStatus[] = ['false_positive', 'resolved', 'acknowledged'];

/**
 * Plan the writes that turn `existing` (the stored alerts of a scope) into `drafts` (the recomputation).
 *
 * @example
 * const plan = planReplace(await alerts.inScope(scope), drafts, Date.now());
 * plan.created.length // alerts that are new
 */
export function planReplace(existing: readonly Alert[], drafts: readonly AlertDraft[], nowMs: number): ReplacePlan {
  const now = new Date(nowMs).toISOString();
  const byId = new Map(existing.map((a) => [a.id, a]));
  const draftIds = new Set(drafts.map((d) => d.id));
  const orphans = existing.filter((a) => !draftIds.has(a.id));
  const inherited = new Set<string>();
  const plan: ReplacePlan = { writes: [], deletes: [], moved: [], created: [], updated: [], unchanged: 0 };

  for (const d of drafts) {
    const old = byId.get(d.id);
    if (old) {
      const coreChanged = coreSignature(old) !== coreSignature(d) || old.tags.join() !== d.tags.join();
      const contextChanged = contextJson(old) !== contextJson(d);
      if (!coreChanged && !contextChanged) {
        plan.unchanged++;
        continue;
      }
      const alert = alertOf(d, {
        status: old.status,
        status_note: old.status_note,
        status_by: old.status_by,
        created_at: old.created_at,
        updated_at: now,
        version: coreChanged ? old.version + 1 : old.version,
      });
      plan.writes.push({ alert, notify: coreChanged });
      if (coreChanged) plan.updated.push(alert);
      continue;
    }
    // A new identity. If it covers alerts that are going away (late events moved the first firing), carry over
    // what the analyst decided and when the alert was first raised.
    const absorbed = orphans.filter((o) => o.rule === d.rule && o.key === d.key && overlaps(o, d));
    const decided = absorbed
      .filter((o) => o.status !== 'open')
      .sort((a, b) => DECIDED.indexOf(a.status) - DECIDED.indexOf(b.status) || a.created_at.localeCompare(b.created_at))[0];
    for (const o of absorbed) {
      inherited.add(o.id);
      plan.moved.push({ from: o.id, to: d.id });
    }
    const createdAt = absorbed.map((o) => o.created_at).sort()[0] ?? now;
    const alert = alertOf(d, {
      status: decided?.status ?? 'open',
      status_note: decided?.status_note ?? null,
      status_by: decided?.status_by ?? null,
      created_at: createdAt,
      updated_at: now,
      version: 1 + Math.max(0, ...absorbed.map((o) => o.version)),
    });
    plan.writes.push({ alert, notify: true });
    plan.created.push(alert);
  }

  for (const o of orphans) {
    // Keep an analyst's verdict on something that no longer fires, unless a new alert carries it on.
    if (o.status === 'open' || inherited.has(o.id)) plan.deletes.push(o.id);
  }
  return plan;
}
