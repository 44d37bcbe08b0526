/**
 * The alerts (and their incidents) that contain an event, for the event panel: "which story is this event part of?".
 */
import type { AlertStore } from '../alerts/types.ts';
import type { IncidentStore } from '../incidents/types.ts';
import type { EventAlertRef } from './api-types.ts';

/**
 * Each alert whose stored triggering events include the event, newest first, with the incident holding it (null when
 * none, or when incidents are not available).
 *
 * @example
 * await alertsOfEvent(deps.alerts, store.incidentStore(), 'ev-123', 1768348800)
 * // [{ id: 'a1', rule: 'mass-download', title: '…', severity: 'high', status: 'open', incident_id: 'inc-9' }]
 */
export async function alertsOfEvent(alerts: AlertStore | null, incidents: IncidentStore | null, eventId: string, ts: number): Promise<EventAlertRef[]> {
  if (!alerts) return [];
  const hit = await alerts.containingEvent(eventId, ts);
  const holding = hit.length && incidents ? await incidents.forAlerts(hit.map((a) => a.id)) : [];
  const incidentOf = new Map<string, string>();
  for (const inc of holding) for (const id of inc.alert_ids) incidentOf.set(id, inc.id);
  return hit.map((a) => ({ id: a.id, rule: a.rule, title: a.title, severity: a.severity, status: a.status, incident_id: incidentOf.get(a.id) ?? null }));
}
