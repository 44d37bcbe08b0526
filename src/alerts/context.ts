/**
 * Alert context: the checks an analyst would otherwise run by hand, answered from stored events and local lists.
 * - every IP involved: used by this user before (when, how often), new for the user, trusted (CIDR/ASN), a VPN
 *   egress range, on the local threat-intelligence list, and what Slack said about it (`ip_address_details`);
 * - every user agent: client family and version, expected or not, new for the user;
 * - for download and scraping alerts, the files the user downloaded in the window;
 * - the user's related events around the alert, and whether Slack's AER already signed the user out.
 *
 * History is counted in whole days (configured time zone): an IP or user agent is "new for the user" when the user
 * did not use it on any of the `detect.context_days` days before the alert's day. The alert's own day does not count,
 * like the grace of `anomaly-from-new-ip`: an attacker's own downloads minutes before Slack's anomaly must not make
 * their IP look familiar.
 * Context is a function of the stored events only, so a replay and an incremental run produce the same context.
 */
import type { NormalisedEvent } from '../events/schema.ts';
import { parseUserAgent } from '../enrich/ua.ts';
import type { AsnInfo } from '../enrich/asn.ts';
import { AER_AFTER, DayUsage, RecentEvents, type HistoryReader, type Usage, type UsageSource } from './history.ts';
import { isoSeconds } from '../util/time.ts';
import type { AlertContext, DownloadFact, IpFacts, RelatedEvent, UaFacts } from './types.ts';

/**
 * What alert context reads of detection's environment: the time zone, `detect.context_days` and the IP and user-agent
 * lookups. The engine's `DetectEnv` fits; context needs nothing else of detection.
 */
export interface ContextEnv {
  readonly config: { readonly detect: { readonly context_days: number } };
  readonly tz: { dayOf(ts: number): number; dayStart(day: number): number };
  lookupAsn(ip: string): AsnInfo | null;
  trust(ip: string): IpFacts['trusted'];
  vpnOf(ip: string): string | null;
  threatIntel(ip: string): IpFacts['threat_intel'];
  expectedUa(ua: string): boolean;
}

/** What the context builder needs from an alert. */
export interface ContextInput {
  userId: string | null;
  firstTs: number;
  lastTs: number;
  summary: string;
  facts: Record<string, unknown>;
  events: ReadonlyArray<{ norm: NormalisedEvent; rawPath(path: readonly string[]): unknown }>;
  /** Include the user's downloads in the window (download and scraping alerts). */
  downloads: boolean;
  /** How far before the first event downloads are looked for (seconds). */
  downloadWindow: number;
}

/** How far around the alert related events are listed. */
export const RELATED_MARGIN = 3600;
const MAX_LISTED = 200;
const RELATED_ACTIONS = new Set([
  'anomaly', 'user_login', 'user_login_failed', 'user_logout', 'user_logout_compromised', 'user_session_invalidated',
  'user_session_reset_by_admin', 'user_sessions_reset_by_anomaly_event_response', 'user_email_updated',
  'user_password_reset_requested', 'manual_export_started', 'manual_export_downloaded', 'channels_export_downloaded',
  'file_public_link_created', 'app_installed', 'role_change_to_admin', 'role_change_to_owner', 'permissions_assigned',
]);

/**
 * The actions of a user's recent events an alert's context reads.
 *
 * @example recentActions(true) // [..., 'file_downloaded']
 */
export function recentActions(downloads: boolean): string[] {
  return downloads ? [...RELATED_ACTIONS, 'file_downloaded'] : [...RELATED_ACTIONS];
}

/**
 * The time window of a user's recent events an alert's context reads (downloads, related events).
 *
 * @example const w = recentWindow(input); await RecentEvents.load(reader, user, w.since, w.until)
 */
export function recentWindow(input: Pick<ContextInput, 'firstTs' | 'lastTs' | 'downloadWindow'>): { since: number; until: number } {
  return { since: input.firstTs - Math.max(input.downloadWindow, RELATED_MARGIN), until: input.lastTs + RELATED_MARGIN };
}

/**
 * The days of history an alert's context reads: the `context_days` days before the day of its first event.
 *
 * @example const { fromDay, toDay } = historyDays(env, input.firstTs)
 */
export function historyDays(env: ContextEnv, firstTs: number): { fromDay: number; toDay: number } {
  const d = env.tz.dayOf(firstTs);
  return { fromDay: d - env.config.detect.context_days, toDay: d - 1 };
}

/**
 * A user's day-usage history loaded from the store for the given alerts (the incremental path).
 *
 * @example const usage = await loadUsage(reader, env, 'W0MATT0001', [alert.first_ts])
 */
export async function loadUsage(reader: HistoryReader, env: ContextEnv, userId: string, firstTs: readonly number[]): Promise<DayUsage> {
  const days = firstTs.map((t) => historyDays(env, t));
  const from = days.reduce((m, d) => Math.min(m, d.fromDay), Infinity);
  const to = days.reduce((m, d) => Math.max(m, d.toDay), -Infinity);
  return DayUsage.load(reader, (ts) => env.tz.dayOf(ts), env.tz.dayStart(from), env.tz.dayStart(to + 1) - 1, userId);
}

const historyOf = (u: Usage | null) => (u ? { first_seen: isoSeconds(u.first), last_seen: isoSeconds(u.last), count: u.count } : null);

function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return typeof v === 'string' && v ? [v] : [];
}

const SLACK_DETAIL_FIELDS = ['location', 'previous_ip_address', 'previous_ua', 'ip_address_details', 'user_agent_change_details', 'detected_client', 'detected_os', 'api_call_method', 'scraping_tool'];

/**
 * Build the context of an alert from the store alone (loads what it needs for this alert).
 *
 * @example
 * const ctx = await buildContext(reader, env, { userId: 'W0MATT0001', firstTs, lastTs, summary, facts, events, downloads: true, downloadWindow: 3600 });
 * ctx.ips[0].new_for_user // false for his office IP
 */
export async function buildContext(reader: HistoryReader, env: ContextEnv, input: ContextInput): Promise<AlertContext> {
  if (!input.userId) return contextFrom(null, null, env, input);
  const w = recentWindow(input);
  const usage = await loadUsage(reader, env, input.userId, [input.firstTs]);
  return contextFrom(usage, await RecentEvents.load(reader, input.userId, w.since, w.until, recentActions(input.downloads)), env, input);
}

/**
 * Build the context of an alert from history already at hand: `usage` must cover `historyDays`, `recent` must
 * cover `recentWindow`. Only the alert's own windows are read, so sharing them between alerts changes nothing.
 *
 * @example const ctx = contextFrom(usage, recent, env, input)
 */
export function contextFrom(usage: UsageSource | null, recent: RecentEvents | null, env: ContextEnv, input: ContextInput): AlertContext {
  const { firstTs, lastTs } = input;
  const userId = input.userId;
  const { fromDay, toDay } = historyDays(env, firstTs);
  const downloadFrom = firstTs - input.downloadWindow;
  const used = (kind: 'ip' | 'ua', v: string) => (userId && usage ? usage.usage(userId, kind, v, fromDay, toDay) : null);

  const reasons = [...new Set(input.events.flatMap((v) => v.norm.reasons))];
  const slack: Record<string, unknown>[] = [];
  const saidByIp = new Map<string, Set<string>>();
  for (const v of input.events) {
    if (v.norm.action !== 'anomaly') continue;
    const details = (v.rawPath(['details']) ?? {}) as Record<string, unknown>;
    if (v.norm.ip) {
      const said = saidByIp.get(v.norm.ip) ?? new Set<string>();
      for (const s of strings(details.ip_address_details)) said.add(s);
      saidByIp.set(v.norm.ip, said);
    }
    if (slack.length >= 20) continue;
    const entry: Record<string, unknown> = { event_id: v.norm.id, time: isoSeconds(v.norm.ts), reasons: v.norm.reasons };
    if (v.norm.actionTimestampMs) entry.action_time = new Date(v.norm.actionTimestampMs).toISOString();
    for (const f of SLACK_DETAIL_FIELDS) if (details[f] !== undefined && details[f] !== '') entry[f] = details[f];
    slack.push(entry);
  }

  const ips: IpFacts[] = [];
  for (const ip of [...new Set(input.events.map((v) => v.norm.ip).filter((x): x is string => !!x))].slice(0, 10)) {
    const u = used('ip', ip);
    const asn = env.lookupAsn(ip);
    ips.push({
      ip,
      new_for_user: userId !== null && u === null,
      history: historyOf(u),
      trusted: env.trust(ip),
      vpn: env.vpnOf(ip),
      threat_intel: env.threatIntel(ip),
      slack_said: [...(saidByIp.get(ip) ?? [])].sort(),
      asn: asn ? { asn: asn.asn, ...(asn.name ? { name: asn.name } : {}) } : null,
    });
  }

  const uas: UaFacts[] = [];
  for (const ua of [...new Set(input.events.map((v) => v.norm.ua).filter((x): x is string => !!x))].slice(0, 10)) {
    const p = parseUserAgent(ua);
    const u = used('ua', ua);
    uas.push({ ua, family: p.family, name: p.name, version: p.version, expected: env.expectedUa(ua), new_for_user: userId !== null && u === null, history: historyOf(u) });
  }

  let downloads: AlertContext['downloads'] = null;
  if (input.downloads) {
    const files: DownloadFact[] = [];
    let count = 0;
    for (const e of recent?.between(downloadFrom, lastTs) ?? []) {
      const n = e.norm;
      if (n.action !== 'file_downloaded') continue;
      count++;
      if (files.length < MAX_LISTED) files.push({ event_id: n.id, time: isoSeconds(n.ts), file_id: n.entityId, file_name: n.entityName, ip: n.ip, ua: n.ua });
    }
    downloads = { window: { from: isoSeconds(downloadFrom), to: isoSeconds(lastTs) }, count, files };
  }

  const own = new Set(input.events.map((v) => v.norm.id));
  const related: RelatedEvent[] = [];
  for (const e of recent?.between(firstTs - RELATED_MARGIN, lastTs + RELATED_MARGIN) ?? []) {
    const n = e.norm;
    if (own.has(n.id) || !RELATED_ACTIONS.has(n.action)) continue;
    if (related.length >= 50) break;
    related.push({ event_id: n.id, time: isoSeconds(n.ts), action: n.action, ...(n.reasons.length ? { reasons: n.reasons } : {}), ip: n.ip, ua: n.ua, entity: n.entityName ?? n.entityId });
  }

  let aer: AlertContext['aer_reset'] = null;
  for (const e of recent?.aerResets ?? []) {
    if (e.norm.ts < firstTs || e.norm.ts > lastTs + AER_AFTER) continue;
    aer = { time: isoSeconds(e.norm.ts), event_id: e.norm.id };
    break;
  }

  const firstEvent = input.events[0]?.norm;
  return {
    summary: input.summary,
    reasons,
    facts: input.facts,
    target: firstEvent ? { type: firstEvent.entityType, id: firstEvent.entityId, name: firstEvent.entityName } : null,
    ips,
    user_agents: uas,
    downloads,
    related,
    aer_reset: aer,
    slack,
  };
}
