/**
 * An in-memory `AlertStore`: for rule tests (`gridwatch rules test`) and unit tests. Same behaviour as the SQLite
 * store because both apply `planReplace`.
 */
import { facetsOf } from './facets.ts';
import { planReplace } from './reconcile.ts';
import type { Alert, AlertContext, AlertDraft, AlertFacets, AlertFilter, AlertScope, AlertStatus, AlertStatusChange, AlertStore, ReplaceResult } from './types.ts';

/**
 * Does an alert pass a listing filter? Shared with tests of other backends.
 *
 * @example alerts.filter((a) => matchesFilter(a, { status: ['open'] }))
 */
export function matchesFilter(a: Alert, f: AlertFilter): boolean {
  if (f.status?.length && !f.status.includes(a.status)) return false;
  if (f.rule?.length && !f.rule.includes(a.rule)) return false;
  if (f.severity?.length && !f.severity.includes(a.severity)) return false;
  if (f.user && a.user_id !== f.user && a.user_email !== f.user && a.user_name !== f.user && a.key !== f.user) return false;
  if (f.since !== undefined && a.last_ts < f.since) return false;
  if (f.until !== undefined && a.first_ts > f.until) return false;
  return true;
}

/**
 * Newest first: last event time, then id (a total, stable order).
 *
 * @example alerts.sort(compareAlerts)
 */
export function compareAlerts(a: Alert, b: Alert): number {
  return b.last_ts - a.last_ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const inScope = (a: Alert, s: AlertScope) =>
  s.rules.includes(a.rule) && a.period >= s.periodFrom && a.period <= s.periodTo && (s.key === undefined || a.key === s.key);

export class MemoryAlertStore implements AlertStore {
  private readonly alerts = new Map<string, Alert>();
  private readonly pending = new Set<string>();
  /** Status changes per alert id, oldest first (the SQLite store's `alert_status_log`). */
  private readonly log = new Map<string, AlertStatusChange[]>();

  async get(id: string): Promise<Alert | null> {
    const a = this.alerts.get(id);
    return a ? structuredClone(a) : null;
  }

  async list(filter: AlertFilter = {}): Promise<Alert[]> {
    const out = [...this.alerts.values()].filter((a) => matchesFilter(a, filter)).sort(compareAlerts);
    const from = filter.offset ?? 0;
    return structuredClone(filter.limit ? out.slice(from, from + filter.limit) : out.slice(from));
  }

  async count(filter: AlertFilter = {}): Promise<number> {
    let n = 0;
    for (const a of this.alerts.values()) if (matchesFilter(a, filter)) n++;
    return n;
  }

  async facets(filter: AlertFilter = {}): Promise<AlertFacets> {
    return facetsOf([...this.alerts.values()], filter, matchesFilter);
  }

  async history(id: string): Promise<AlertStatusChange[]> {
    return structuredClone(this.log.get(id) ?? []);
  }

  async inScope(scope: AlertScope): Promise<Alert[]> {
    return structuredClone([...this.alerts.values()].filter((a) => inScope(a, scope)));
  }

  async replace(scope: AlertScope, drafts: readonly AlertDraft[], nowMs: number): Promise<ReplaceResult> {
    const plan = planReplace(await this.inScope(scope), drafts, nowMs);
    for (const { from, to } of plan.moved) {
      const moved = this.log.get(from);
      // Oldest first across the absorbed alerts, as the SQLite log's row order gives it.
      if (moved) this.log.set(to, [...(this.log.get(to) ?? []), ...moved].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)));
      this.log.delete(from);
    }
    for (const id of plan.deletes) {
      this.alerts.delete(id);
      this.pending.delete(id);
    }
    for (const w of plan.writes) {
      this.alerts.set(w.alert.id, structuredClone(w.alert));
      if (w.notify) this.pending.add(w.alert.id);
    }
    return { created: plan.created, updated: plan.updated, removed: plan.deletes, unchanged: plan.unchanged };
  }

  async forUser(user: string, from: number, to: number): Promise<Alert[]> {
    return structuredClone([...this.alerts.values()].filter((a) => (a.user_id === user || a.key === user) && a.last_ts >= from && a.last_ts <= to));
  }

  async containingEvent(eventId: string, ts: number): Promise<Alert[]> {
    const hit = [...this.alerts.values()].filter((a) => a.first_ts <= ts && a.last_ts >= ts && a.event_ids.includes(eventId));
    return structuredClone(hit.sort((a, b) => b.last_ts - a.last_ts || (a.id < b.id ? -1 : 1)));
  }

  async setContext(id: string, context: AlertContext, nowMs: number): Promise<void> {
    const a = this.alerts.get(id);
    if (a) this.alerts.set(id, { ...a, context: structuredClone(context), updated_at: new Date(nowMs).toISOString() });
  }

  async updateStatus(id: string, status: AlertStatus, note: string | null, by: string | null, nowMs = Date.now()): Promise<Alert | null> {
    const a = this.alerts.get(id);
    if (!a) return null;
    const at = new Date(nowMs).toISOString();
    const next = { ...a, status, status_note: note, status_by: by, updated_at: at };
    this.alerts.set(id, next);
    this.log.set(id, [...(this.log.get(id) ?? []), { status, note, by, at }]);
    return structuredClone(next);
  }

  async pendingNotifications(limit: number): Promise<Alert[]> {
    return structuredClone([...this.pending].map((id) => this.alerts.get(id)!).filter(Boolean).sort((a, b) => a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1)).slice(0, limit));
  }

  async markNotified(items: ReadonlyArray<{ id: string; version: number }>): Promise<void> {
    for (const { id, version } of items) if (this.alerts.get(id)?.version === version) this.pending.delete(id);
  }
}
