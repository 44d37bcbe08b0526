/**
 * What the CLI, the API and detection do with incidents, over the stores' interfaces: regroup a user's incidents
 * after their alerts changed, and the analyst's actions (status applied to the alerts, assignment to an account,
 * comments). No SQL here: the stores keep the records.
 */
import type { Alert, AlertStore } from '../alerts/types.ts';
import type { Store } from '../store/types.ts';
import { incidentUserOf, planIncidents } from './plan.ts';
import { CLOSED_STATUSES, type Incident, type IncidentChange, type IncidentComment, type IncidentStatus, type IncidentStore } from './types.ts';

/** State key holding the gap the stored incidents were grouped with (a different gap regroups everyone). */
export const GAP_STATE = 'incidents.gap';
/** The default `incidents.gap`: 24 hours. */
export const DEFAULT_GAP = 86400;

/** A refused incident action: `code` says why (the CLI and the API map it to their errors). */
export class IncidentError extends Error {
  constructor(readonly code: 'not_found' | 'unknown_account', message: string) {
    super(message);
  }
}

/** The stores an incident action needs. */
export interface IncidentDeps {
  store: Store;
  alerts: AlertStore;
  incidents: IncidentStore;
}

/**
 * Regroup the incidents of these users from their stored alerts.
 *
 * @example await regroupUsers(alerts, store.incidentStore(), ['W0MATT0001'], 86400, Date.now())
 */
export async function regroupUsers(alerts: AlertStore, incidents: IncidentStore, users: Iterable<string>, gap: number, nowMs: number, known?: ReadonlyMap<string, Alert[]>): Promise<void> {
  const now = new Date(nowMs).toISOString();
  for (const user of users) {
    // `user` filters by id, email, name or key: keep the alerts whose incident user this is.
    const own = known ? (known.get(user) ?? []) : (await alerts.list({ user })).filter((a) => incidentUserOf(a) === user);
    const plan = planIncidents(own, await incidents.forUser(user), gap, now);
    await incidents.replaceUser(user, plan.incidents, plan.moves);
  }
}

/** What a detection run did to alerts, as far as incidents care. */
export interface AlertChanges {
  /** Incident users of alerts created or changed. */
  users: Set<string>;
  /** Ids of alerts removed. */
  removed: Set<string>;
}

/**
 * Wrap an alert store so that every `replace` records the users whose alerts changed (the engine's only writes).
 *
 * @example const { alerts, changes } = trackAlertChanges(alertStoreFor(store))
 */
export function trackAlertChanges(inner: AlertStore): { alerts: AlertStore; changes: AlertChanges } {
  const changes: AlertChanges = { users: new Set(), removed: new Set() };
  const alerts = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'replace') {
        return async (...args: Parameters<AlertStore['replace']>) => {
          const r = await target.replace(...args);
          for (const a of [...r.created, ...r.updated]) changes.users.add(incidentUserOf(a));
          for (const id of r.removed) changes.removed.add(id);
          return r;
        };
      }
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { alerts, changes };
}

/**
 * Bring incidents up to date after detection: the users whose alerts changed (and those of removed alerts), or every
 * user when the incidents were never grouped or were grouped with another gap. A no-op for a store without incidents.
 *
 * @example await syncIncidents(store, alerts, config.incidents.gap, changes, Date.now())
 */
export async function syncIncidents(store: Store, alerts: AlertStore, gap: number, changes: AlertChanges | null, nowMs: number): Promise<void> {
  if (!store.incidentStore) return;
  const incidents = store.incidentStore();
  const users = new Set<string>();
  const full = (await store.getState(GAP_STATE)) !== String(gap);
  // Regrouping everyone reads every alert once, not once per user.
  let known: Map<string, Alert[]> | undefined;
  if (full) {
    known = new Map();
    for (const a of await alerts.list()) {
      const u = incidentUserOf(a);
      const list = known.get(u);
      if (list) list.push(a);
      else known.set(u, [a]);
      users.add(u);
    }
    for (const i of await incidents.list()) users.add(i.user_id);
  } else if (changes) {
    for (const u of changes.users) users.add(u);
    if (changes.removed.size) for (const i of await incidents.forAlerts([...changes.removed])) users.add(i.user_id);
  }
  await regroupUsers(alerts, incidents, users, gap, nowMs, known);
  if (full) await store.putState(GAP_STATE, String(gap));
}

async function mustGet(incidents: IncidentStore, id: string): Promise<Incident> {
  const inc = await incidents.get(id);
  if (!inc) throw new IncidentError('not_found', `no incident with id ${id}`);
  return inc;
}

/**
 * Set an incident's status and apply it to its alerts (each alert's history records it with who and the note).
 * Reopening a closed incident regroups its user, so it may merge again with a neighbour.
 *
 * @example await setIncidentStatus(deps, 'in_…', 'resolved', 'expected travel', 'cli:ana', Date.now())
 */
export async function setIncidentStatus(d: IncidentDeps, id: string, status: IncidentStatus, note: string | null, by: string | null, nowMs: number): Promise<Incident> {
  const prev = await mustGet(d.incidents, id);
  for (const alertId of prev.alert_ids) {
    const a = await d.alerts.get(alertId);
    if (a && a.status !== status) await d.alerts.updateStatus(alertId, status, note, by, nowMs);
  }
  let inc = (await d.incidents.setStatus(id, status, note, by, nowMs)) ?? prev;
  if (CLOSED_STATUSES.includes(prev.status) && !CLOSED_STATUSES.includes(status)) {
    const gap = Number((await d.store.getState(GAP_STATE)) ?? DEFAULT_GAP);
    await regroupUsers(d.alerts, d.incidents, [prev.user_id], gap, nowMs);
    inc = (await d.incidents.get(id)) ?? (await d.incidents.forAlerts([prev.alert_ids[0]!]))[0] ?? inc;
  }
  return inc;
}

/**
 * Assign an incident to a gridwatch account (by name, without case), or unassign it with null.
 *
 * @example await assignIncident(deps, 'in_…', 'ana', 'cli:ana', Date.now())
 */
export async function assignIncident(d: IncidentDeps, id: string, name: string | null, by: string | null, nowMs: number): Promise<Incident> {
  await mustGet(d.incidents, id);
  let assignee: string | null = null;
  if (name !== null) {
    const account = await d.store.accountStore?.().accountByName(name);
    if (!account) throw new IncidentError('unknown_account', `no gridwatch account named "${name}" (see: gridwatch users list)`);
    assignee = account.name;
  }
  return (await d.incidents.setAssignee(id, assignee, by, nowMs))!;
}

/**
 * Add a comment to an incident's thread.
 *
 * @example await commentIncident(deps, 'in_…', 'cli:ana', 'called the user: travelling', Date.now())
 */
export async function commentIncident(d: IncidentDeps, id: string, author: string, text: string, nowMs: number): Promise<IncidentComment> {
  const c = await d.incidents.addComment(id, author, text, nowMs);
  if (!c) throw new IncidentError('not_found', `no incident with id ${id}`);
  return c;
}

/** One incident in full: its alerts (oldest first), comments and changes. */
export interface IncidentDetail {
  incident: Incident;
  alerts: Alert[];
  comments: IncidentComment[];
  history: IncidentChange[];
}

/**
 * @example const { incident, alerts, comments, history } = await incidentDetail(deps, 'in_…')
 */
export async function incidentDetail(d: IncidentDeps, id: string): Promise<IncidentDetail> {
  const incident = await mustGet(d.incidents, id);
  const alerts = (await Promise.all(incident.alert_ids.map((a) => d.alerts.get(a)))).filter((a): a is Alert => a !== null);
  return { incident, alerts, comments: await d.incidents.comments(id), history: await d.incidents.history(id) };
}
