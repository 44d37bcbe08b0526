// An incident's story as one time-ordered list: the user's events over the incident's span (sign-ins, anomalies,
// downloads, the first use of each IP and client) and the alerts that fired, the IPs and clients annotated with what
// the alerts' context knows (new for the user? trusted? expected?). Pure, so it is tested without a browser.
import type { AlertContext } from '../../../../src/server/api-types.ts';
import type { AlertListItem, EventSummary } from '../../types.ts';

export type TimelineKind = 'alert' | 'anomaly' | 'sign-in' | 'sign-out' | 'download' | 'ip' | 'client' | 'event';

/** A tag on an item: its text comes from the audit log or the alert context (shown through SafeText). */
export interface TimelineTag {
  text: string;
  kind: 'good' | 'bad' | 'warn' | 'neutral';
}

export interface TimelineItem {
  /** Unix seconds of the (first) event. */
  ts: number;
  kind: TimelineKind;
  /** Untrusted text (names, actions): shown through SafeText. */
  title: string;
  tags: TimelineTag[];
  /** The events it stands for, oldest first (a run of downloads is one item). */
  eventIds: string[];
  alert?: AlertListItem;
  ip?: string | null;
  /** Files of a download run: name (or id) and its event. */
  files?: Array<{ name: string; eventId: string; ts: number }>;
}

/** What an alert's context says about the incident's IPs and clients (the `ips` and `user_agents` of each alert). */
export type ContextFacts = Pick<AlertContext, 'ips' | 'user_agents'>;

/** How an action reads on the timeline. */
function kindOf(action: string): TimelineKind {
  if (action === 'anomaly') return 'anomaly';
  if (action.startsWith('user_login')) return 'sign-in';
  if (action.startsWith('user_logout')) return 'sign-out';
  if (action === 'file_downloaded' || action === 'file_downloaded_blocked') return 'download';
  return 'event';
}

function ipTags(ip: string, contexts: ContextFacts[]): TimelineTag[] {
  const f = contexts.flatMap((c) => c.ips).find((x) => x.ip === ip);
  if (!f) return [];
  const tags: TimelineTag[] = [f.new_for_user ? { text: 'new for user', kind: 'bad' } : { text: 'known', kind: 'good' }];
  tags.push(f.trusted.trusted ? { text: 'trusted', kind: 'good' } : { text: 'not trusted', kind: 'warn' });
  if (f.vpn) tags.push({ text: `VPN ${f.vpn}`, kind: 'good' });
  if (f.threat_intel?.listed) tags.push({ text: 'threat intel', kind: 'bad' });
  if (f.asn) tags.push({ text: `AS${f.asn.asn}${f.asn.name ? ` ${f.asn.name}` : ''}`, kind: 'neutral' });
  for (const s of f.slack_said) tags.push({ text: `Slack: ${s}`, kind: 'warn' });
  return tags;
}

function uaTags(ua: string, contexts: ContextFacts[]): { name: string | null; tags: TimelineTag[] } {
  const f = contexts.flatMap((c) => c.user_agents).find((x) => x.ua === ua);
  if (!f) return { name: null, tags: [] };
  return {
    name: [f.name, f.version].filter(Boolean).join(' ') || null,
    tags: [f.expected ? { text: 'expected', kind: 'good' } : { text: 'unexpected', kind: 'bad' }, f.new_for_user ? { text: 'new for user', kind: 'bad' } : { text: 'known', kind: 'good' }],
  };
}

/**
 * The incident's timeline, oldest first (alerts before events at the same second). Consecutive downloads, and
 * consecutive other events of one action, become one item; each IP and client gets an item at its first use.
 *
 * @example buildTimeline(detail.alerts, events.events, contexts).map((i) => i.kind) // ['ip', 'client', 'sign-in', 'download', 'alert', …]
 */
export function buildTimeline(alerts: AlertListItem[], events: EventSummary[], contexts: ContextFacts[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const seenIp = new Set<string>();
  const seenUa = new Set<string>();
  let run: TimelineItem | null = null;
  let runAction = '';
  for (const e of [...events].sort((a, b) => a.ts - b.ts || a.seq - b.seq)) {
    if (e.ip && !seenIp.has(e.ip)) {
      seenIp.add(e.ip);
      items.push({ ts: e.ts, kind: 'ip', title: `First request from ${e.ip}`, tags: ipTags(e.ip, contexts), eventIds: [e.id], ip: e.ip });
      run = null;
    }
    if (e.ua && !seenUa.has(e.ua)) {
      seenUa.add(e.ua);
      const { name, tags } = uaTags(e.ua, contexts);
      items.push({ ts: e.ts, kind: 'client', title: `First use of client ${name ? `${name} (${e.ua})` : e.ua}`, tags, eventIds: [e.id] });
      run = null;
    }
    const kind = kindOf(e.action);
    const file = { name: e.entity.name ?? e.entity.id ?? '', eventId: e.id, ts: e.ts };
    // A run continues while the same action repeats: 34 downloads read as one step of the story.
    if (run && runAction === e.action && (kind === 'download' || kind === 'event')) {
      run.eventIds.push(e.id);
      if (kind === 'download') run.files!.push(file);
      run.title = kind === 'download' ? `Downloaded ${run.files!.length} files` : `${run.eventIds.length}× ${e.action}`;
      continue;
    }
    const reasons: TimelineTag[] = e.reasons.map((r) => ({ text: r, kind: 'bad' }));
    const title =
      kind === 'anomaly' ? 'Slack anomaly' : kind === 'sign-in' ? `Signed in (${e.action})` : kind === 'sign-out' ? `Signed out (${e.action})` : kind === 'download' ? `Downloaded ${file.name}` : e.action;
    const item: TimelineItem = { ts: e.ts, kind, title, tags: reasons, eventIds: [e.id], ip: e.ip, files: kind === 'download' ? [file] : undefined };
    items.push(item);
    run = item;
    runAction = e.action;
  }
  for (const a of alerts) items.push({ ts: a.first_ts, kind: 'alert', title: a.title, tags: a.reasons.map((r) => ({ text: r, kind: 'bad' })), eventIds: [], alert: a });
  const rank = (i: TimelineItem) => (i.kind === 'alert' ? 1 : 0);
  // Stable sort: events keep their order; an alert follows the events of its second that made it fire.
  return items.map((item, n) => ({ item, n })).sort((x, y) => x.item.ts - y.item.ts || rank(x.item) - rank(y.item) || x.n - y.n).map((x) => x.item);
}
