/**
 * How incidents are printed: one JSON object per line for machines, a table or a readable page for people.
 */
import { alertJson } from '../alerts/format.ts';
import type { IncidentDetail } from './service.ts';
import type { Incident } from './types.ts';

/**
 * The JSON form of an incident (`--format json`, the API): the contract fields first.
 *
 * @example JSON.stringify(incidentJson(i)) // {"id":"in_…","user_id":"W0MATT0001","severity":"high",…}
 */
export function incidentJson(i: Incident): Record<string, unknown> {
  return {
    id: i.id,
    user_id: i.user_id,
    user_name: i.user_name,
    user_email: i.user_email,
    severity: i.severity,
    status: i.status,
    assignee: i.assignee,
    first_seen: i.first_seen,
    last_seen: i.last_seen,
    alert_ids: i.alert_ids,
    rules: i.rules,
    title: i.title,
    created_at: i.created_at,
    updated_at: i.updated_at,
  };
}

/**
 * One incident in full as JSON (`incidents show --format json`): the incident, its alerts, comments and history.
 *
 * @example JSON.stringify(incidentDetailJson(await incidentDetail(deps, id)))
 */
export function incidentDetailJson(d: IncidentDetail): Record<string, unknown> {
  return { ...incidentJson(d.incident), alerts: d.alerts.map((a) => alertJson(a)), comments: d.comments, history: d.history };
}

export const INCIDENT_TABLE_HEADERS = ['last seen', 'severity', 'status', 'user', 'alerts', 'assignee', 'title', 'id'];

/**
 * One table row of an incident.
 *
 * @example renderTable(INCIDENT_TABLE_HEADERS, incidents.map(incidentRow))
 */
export function incidentRow(i: Incident): string[] {
  return [i.last_seen, i.severity, i.status, i.user_name ?? i.user_email ?? i.user_id, String(i.alert_ids.length), i.assignee ?? '-', i.title, i.id];
}

/**
 * A readable page of one incident: its alerts, then comments and changes in time order.
 *
 * @example ctx.stdout.write(describeIncident(await incidentDetail(deps, id)))
 */
export function describeIncident(d: IncidentDetail): string {
  const i = d.incident;
  const lines = [
    i.title,
    `  id        ${i.id}   severity ${i.severity}   status ${i.status}   assignee ${i.assignee ?? '-'}`,
    `  user      ${[i.user_name, i.user_email, i.user_id].filter(Boolean).join(' / ')}`,
    `  time      ${i.first_seen} .. ${i.last_seen}   rules ${i.rules.join(', ')}`,
    `  alerts    ${d.alerts.length}`,
  ];
  for (const a of d.alerts) lines.push(`            ${a.first_seen}  ${a.severity.padEnd(8)} ${a.status.padEnd(14)} ${a.rule}  ${a.title}  (${a.id})`);
  const timeline = [
    ...d.history.map((h) => ({ at: h.at, text: `${h.field === 'status' ? `status ${h.value}` : h.value ? `assigned to ${h.value}` : 'unassigned'}${h.by ? ` by ${h.by}` : ''}${h.note ? `: ${h.note}` : ''}` })),
    ...d.comments.map((c) => ({ at: c.at, text: `comment by ${c.author}: ${c.text}` })),
  ].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  lines.push(`  activity  ${timeline.length ? '' : 'no comments or changes yet'}`);
  for (const t of timeline) lines.push(`            ${t.at}  ${t.text}`);
  // Titles and comments carry attacker- or user-controlled text: no control characters reach the terminal.
  return `${lines.map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')).join('\n')}\n`;
}
