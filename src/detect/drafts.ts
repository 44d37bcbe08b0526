/**
 * From grouped firings to alert drafts: the title that says what happened, the stored event ids, and the context.
 */
import { contextText, withContextText } from '../alerts/context-text.ts';
import { buildContext, contextFrom, loadUsage, recentActions, recentWindow, RELATED_MARGIN, type ContextInput } from '../alerts/context.ts';
import { mergeWindows, storeRecent, type RecentEvents, type RecentSource, type TimeWindow, type UsageSource } from '../alerts/history.ts';
import { MAX_EVENT_IDS, type Alert, type AlertContext, type AlertDraft } from '../alerts/types.ts';
import type { Store } from '../store/types.ts';
import type { CompiledRule } from './compiled.ts';
import type { DetectEnv } from './env.ts';
import { EventView } from './event-view.ts';
import { alertId, type GroupedAlert } from './grouping.ts';
import { titleReasons } from './signals.ts';

/**
 * A duration for people: `1h`, `90m`, `30d`.
 *
 * @example humanDuration(3600) // '1h'
 */
export function humanDuration(s: number): string {
  if (s % 86400 === 0 && s >= 86400) return `${s / 86400}d`;
  if (s % 3600 === 0 && s >= 3600) return `${s / 3600}h`;
  if (s % 60 === 0 && s >= 60) return `${s / 60}m`;
  return `${s}s`;
}

const distinct = <T>(xs: Iterable<T | null | undefined>): T[] => [...new Set([...xs].filter((x): x is T => x !== null && x !== undefined && x !== ''))];

/** Template variables of a grouped alert. */
function titleVars(g: GroupedAlert): Record<string, string> {
  const ev = g.events.map((v) => v.norm);
  const f = g.facts;
  const fmt = (x: unknown) => (typeof x === 'number' ? String(Math.round(x * 100) / 100) : typeof x === 'string' ? x : '');
  const first = ev[0];
  const values = Array.isArray(f.values) ? (f.values as string[]) : typeof f.value === 'string' ? [f.value] : [];
  return {
    user: g.subject.name ?? g.subject.email ?? g.subject.id ?? g.key,
    user_id: g.subject.id ?? g.key,
    // Who acted, when the alert's user is someone else (the user a role was given to, the user signed out).
    actor: first ? (first.actorName ?? first.actorEmail ?? first.actorId ?? '') : '',
    reasons: titleReasons(distinct(ev.flatMap((n) => n.reasons))).join(' + ') || 'no reason given',
    count: fmt(f.count ?? g.eventCount),
    action: first?.action ?? '',
    actions: distinct(ev.map((n) => n.action)).join(', '),
    target: first ? (first.entityName ?? first.entityId ?? '') : '',
    value: values.join(', '),
    limit: fmt(f.limit),
    ip: distinct(ev.map((n) => n.ip)).slice(0, 3).join(', '),
    ua: distinct(ev.map((n) => n.ua))[0] ?? '',
    rule_title: g.rule.def.title,
    window: typeof f.window === 'number' ? humanDuration(f.window) : '',
  };
}

/**
 * Render a title template (`{user}`, `{reasons}`, ...; unknown placeholders are rejected when the rule loads).
 *
 * @example renderTitle(g) // 'Scraping suspected: Matt Levene (unexpected_scraping + user_agent + excessive_downloads within 1h)'
 */
export function renderTitle(g: GroupedAlert): string {
  const tpl = g.rule.def.alert_title ?? '{rule_title}: {user}';
  const vars = titleVars(g);
  return tpl.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '').replace(/\s+/g, ' ').trim();
}

/** How far before an alert downloads count as part of it (its window, else an hour). */
function downloadWindowOf(rule: CompiledRule): number {
  const d = rule.def;
  if (d.kind === 'correlate') return d.correlate.window;
  if (d.kind === 'threshold' && d.threshold.window) return d.threshold.window;
  return 3600;
}

/**
 * How far before an alert's first event its context reads the user's recent events, at most, over these rules.
 *
 * @example contextLookBack(engine.rules) // 86400 with a threshold rule over a day
 */
export function contextLookBack(rules: readonly CompiledRule[]): number {
  return Math.max(RELATED_MARGIN, ...rules.map(downloadWindowOf));
}

/** What the context builder needs from a grouped alert. */
function contextInputOf(g: GroupedAlert, title: string): ContextInput {
  return {
    userId: g.subject.id,
    firstTs: g.events[0]!.norm.ts,
    lastTs: g.events[g.events.length - 1]!.norm.ts,
    summary: title,
    facts: { ...g.facts, firings: g.firings },
    events: g.events.slice(0, MAX_EVENT_IDS),
    downloads: g.rule.def.context.downloads,
    downloadWindow: downloadWindowOf(g.rule),
  };
}

/** The draft of a grouped alert, its context as text (why: alerts/context-text.ts). */
function draftOf(g: GroupedAlert, title: string, context: AlertContext): AlertDraft {
  return withContextText({
    id: alertId(g.rule.id, g.key, g.anchor),
    rule: g.rule.id,
    severity: g.severity,
    title,
    user_id: g.subject.id,
    user_name: g.subject.name,
    user_email: g.subject.email,
    first_ts: g.events[0]!.norm.ts,
    last_ts: g.events[g.events.length - 1]!.norm.ts,
    event_ids: g.events.slice(0, MAX_EVENT_IDS).map((v) => v.norm.id),
    event_count: g.eventCount,
    tags: g.rule.def.tags,
    key: g.key,
    period: g.period,
    anchor: g.anchor,
  }, contextText(context));
}

/** History a replay collected from its own scan, for alert context; anything absent is read from the store. */
export interface ScannedHistory {
  /** Day usage of IPs and user agents. */
  usage?: UsageSource;
  /** Users' recent events (`RecentTape`). */
  recent?: RecentSource;
}

/**
 * Drafts of grouped alerts with their context, user by user: each user's recent events are read once for all of
 * their alerts. `history` is what a replay collected while scanning; without it (incremental runs) each user's
 * history is loaded from the store.
 *
 * @example const drafts = await toDrafts(store, env, grouped)
 */
export async function toDrafts(store: Store, env: DetectEnv, grouped: readonly GroupedAlert[], history: ScannedHistory = {}): Promise<AlertDraft[]> {
  const reader = store.detectionReads();
  const byUser = new Map<string | null, Array<{ g: GroupedAlert; title: string; input: ContextInput }>>();
  for (const g of grouped) {
    const title = renderTitle(g);
    const item = { g, title, input: contextInputOf(g, title) };
    const list = byUser.get(g.subject.id);
    if (list) list.push(item);
    else byUser.set(g.subject.id, [item]);
  }
  // Recent events of every user with alerts here: each alert's window, merged where they overlap. One window
  // covering all of a user's alerts read, over a month's replay, nearly every event of the month a second time.
  const windows = new Map<string, TimeWindow[]>();
  let downloads = false;
  for (const [user, items] of byUser) {
    if (user === null) continue;
    windows.set(user, mergeWindows(items.map(({ input }) => recentWindow(input))));
    downloads ||= items.some(({ input }) => input.downloads);
  }
  const source = history.recent ?? storeRecent(reader);
  const recent = windows.size ? await source.recentOf(windows, recentActions(downloads)) : new Map<string, RecentEvents>();
  const drafts: AlertDraft[] = [];
  for (const [user, items] of byUser) {
    const used = user === null ? null : (history.usage ?? (await loadUsage(reader, env, user, items.map((i) => i.input.firstTs))));
    for (const { g, title, input } of items) drafts.push(draftOf(g, title, contextFrom(used, user === null ? null : (recent.get(user) ?? null), env, input)));
  }
  return drafts;
}

/**
 * The draft of one grouped alert.
 *
 * @example const draft = await toDraft(store, env, grouped)
 */
export async function toDraft(store: Store, env: DetectEnv, g: GroupedAlert): Promise<AlertDraft> {
  return (await toDrafts(store, env, [g]))[0]!;
}

/**
 * Rebuild the context of a stored alert from the store's current events (late events, a later AER reset).
 *
 * @example const ctx = await refreshedContext(store, env, rule, alert)
 */
export async function refreshedContext(store: Store, env: DetectEnv, rule: CompiledRule, a: Alert): Promise<AlertContext> {
  const events: EventView[] = [];
  for (const id of a.event_ids) {
    const e = await store.getEvent(id);
    if (e) events.push(new EventView(e));
  }
  const { firings, ...facts } = a.context.facts;
  return buildContext(store.detectionReads(), env, {
    userId: a.user_id,
    firstTs: a.first_ts,
    lastTs: a.last_ts,
    summary: a.title,
    facts: { ...facts, firings },
    events,
    downloads: rule.def.context.downloads,
    downloadWindow: downloadWindowOf(rule),
  });
}
