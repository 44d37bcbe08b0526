/**
 * How alerts are printed: one JSON object per line for machines, an aligned table for terminals.
 */
import type { Alert, AlertStatusChange } from './types.ts';

/**
 * The JSON form of an alert (`--format json`): the contract fields first, then the rest; with `history` (one alert
 * shown in full), its status changes too.
 *
 * @example JSON.stringify(alertJson(alert)) // {"id":"al_…","rule":"scraping-suspected","severity":"high",…}
 */
export function alertJson(a: Alert, history?: readonly AlertStatusChange[]): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    user_id: a.user_id,
    user_name: a.user_name,
    user_email: a.user_email,
    first_seen: a.first_seen,
    last_seen: a.last_seen,
    event_ids: a.event_ids,
    event_count: a.event_count,
    title: a.title,
    status: a.status,
    status_note: a.status_note,
    tags: a.tags,
    context: a.context,
    created_at: a.created_at,
    updated_at: a.updated_at,
    version: a.version,
  };
  if (history) json.history = history;
  return json;
}

export const ALERT_TABLE_HEADERS = ['first seen', 'severity', 'status', 'rule', 'user', 'events', 'title', 'id'];

/**
 * One table row of an alert.
 *
 * @example renderTable(ALERT_TABLE_HEADERS, alerts.map(alertRow))
 */
export function alertRow(a: Alert): string[] {
  return [a.first_seen, a.severity, a.status, a.rule, a.user_name ?? a.user_email ?? a.user_id ?? '', String(a.event_count), a.title, a.id];
}

/**
 * A readable multi-line description of one alert, its context and its status history (for `gridwatch alerts show`).
 *
 * @example ctx.stdout.write(describeAlert(alert, await alerts.history(alert.id)))
 */
export function describeAlert(a: Alert, history: readonly AlertStatusChange[] = []): string {
  const c = a.context;
  const lines = [
    `${a.title}`,
    `  id        ${a.id}   rule ${a.rule}   severity ${a.severity}   status ${a.status}${a.status_note ? ` (${a.status_note})` : ''}`,
    `  user      ${[a.user_name, a.user_email, a.user_id].filter(Boolean).join(' / ')}`,
    `  time      ${a.first_seen} .. ${a.last_seen}   ${a.event_count} event(s)`,
  ];
  if (c.reasons.length) lines.push(`  reasons   ${c.reasons.join(', ')}`);
  if (c.target?.id) lines.push(`  target    ${c.target.type ?? ''} ${c.target.name ?? ''} ${c.target.id}`);
  for (const ip of c.ips) {
    const notes = [
      ip.new_for_user ? 'NEW for user' : `used before (${ip.history?.count ?? 0}x, last ${ip.history?.last_seen ?? '-'})`,
      ip.trusted.trusted ? `trusted (${ip.trusted.match})` : 'not trusted',
      ip.vpn ? `VPN ${ip.vpn}` : null,
      ip.threat_intel?.listed ? `THREAT INTEL ${ip.threat_intel.entry}` : null,
      ip.slack_said.length ? `Slack: ${ip.slack_said.join(', ')}` : null,
      ip.asn ? `AS${ip.asn.asn}${ip.asn.name ? ` ${ip.asn.name}` : ''}` : null,
    ].filter(Boolean);
    lines.push(`  ip        ${ip.ip}: ${notes.join('; ')}`);
  }
  for (const ua of c.user_agents) {
    lines.push(`  client    ${ua.family} ${ua.name}${ua.version ? ` ${ua.version}` : ''}: ${ua.expected ? 'expected' : 'NOT expected'}; ${ua.new_for_user ? 'NEW for user' : 'used before'}  (${ua.ua})`);
  }
  if (c.downloads) {
    lines.push(`  downloads ${c.downloads.count} file(s) ${c.downloads.window.from} .. ${c.downloads.window.to}`);
    for (const f of c.downloads.files.slice(0, 20)) lines.push(`            ${f.time}  ${f.file_name ?? f.file_id ?? '?'}  ${f.ip ?? ''}`);
    if (c.downloads.files.length > 20) lines.push(`            … ${c.downloads.count - 20} more`);
  }
  lines.push(`  slack AER ${c.aer_reset ? `signed the user out at ${c.aer_reset.time}` : 'no sign-out by Slack seen'}`);
  for (const r of c.related.slice(0, 10)) lines.push(`  related   ${r.time}  ${r.action}${r.reasons ? ` [${r.reasons.join(', ')}]` : ''}  ${r.ip ?? ''}`);
  lines.push(`  events    ${a.event_ids.join(', ')}${a.event_count > a.event_ids.length ? ' …' : ''}`);
  lines.push(`  history   raised ${a.created_at}${history.length ? '' : '; status never changed'}`);
  for (const h of history) lines.push(`            ${h.at}  ${h.status}${h.by ? ` by ${h.by}` : ''}${h.note ? `: ${h.note}` : ''}`);
  // Field values are attacker-controlled (file names, user agents): no control characters reach the terminal.
  return `${lines.map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')).join('\n')}\n`;
}
