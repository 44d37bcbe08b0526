/**
 * The session store behind `admin.users.session.*` (docs/slack-api.md 5): one session per device of each simulated person,
 * with the same `session_id` the audit events carry in `context.session_id`, so a responder can join the two.
 *
 * The generated log is replayed once so the store agrees with it: a session a generated reset ended (Slack's AER, or an
 * admin's `user_session_reset_by_admin`) and never used again is gone, and a session whose last event came from another
 * client or address has a `recent` part (Matt's scraper, for instance). Desktop apps and browsers hold web sessions,
 * the phone apps mobile ones (the desktop app signs in with a web session cookie).
 */
import type { SimEvent } from '../builders.ts';
import type { DeviceKind } from '../agents.ts';
import type { SimUser } from '../org.ts';

export type SessionKind = 'web' | 'mobile';

/** The `created`/`recent` object of `admin.users.session.list`. */
export interface ClientInfo {
  device_hardware: string;
  os: string;
  os_version: string;
  slack_client_version: string;
  ip: string;
}

export interface SimSession {
  sessionId: number;
  userId: string;
  teamId: string;
  kind: SessionKind;
  created: ClientInfo;
  /** Present only when the session changed since it was created (docs/slack-api.md 5.3). */
  recent?: ClientInfo;
}

/** A bot user of the org: the reset methods refuse it (`cannot_reset_bot`). */
export const SIM_BOT = { id: 'W0BOTSTND1', name: 'Standup Bot', email: '', team: 'T0ACMEENG1' } as const;

/**
 * What a session list shows for a UA and address (best effort, from the UA shapes of `agents.ts`).
 *
 * @example
 * clientInfo('Slack/23.04.10.0 (Android 13; Pixel 7)', '10.1.2.3')
 * // { device_hardware: 'Pixel 7', os: 'Android', os_version: '13', slack_client_version: '23.04.10.0', ip: '10.1.2.3' }
 */
export function clientInfo(ua: string, ip: string): ClientInfo {
  const info = (device_hardware: string, os: string, os_version: string, slack_client_version: string): ClientInfo => ({
    device_hardware, os, os_version, slack_client_version, ip,
  });
  const ios = /chatlyio\/([\d.]+) \((iPhone|iPad); iOS ([\d.]+)/.exec(ua);
  if (ios) return info(ios[2]!, 'iOS', ios[3]!, ios[1]!);
  const android = /^Slack\/([\d.]+) \(Android ([\d.]+); ([^)]+)\)/.exec(ua);
  if (android) return info(android[3]!, 'Android', android[2]!, android[1]!);
  const client = /Slack\/([\d.]+)/.exec(ua)?.[1] ?? '';
  if (ua.includes('Macintosh')) return info(client ? 'Mac' : 'Browser', 'macOS', /OS X ([\d_]+)/.exec(ua)?.[1]?.replace(/_/g, '.') ?? '', client);
  if (ua.includes('Windows NT')) return info(client ? 'PC' : 'Browser', 'Windows', /Windows NT ([\d.]+)/.exec(ua)?.[1] ?? '', client);
  if (ua.includes('Linux')) return info(client ? 'PC' : 'Browser', 'Linux', '', client);
  return info('unknown', 'unknown', '', '');
}

const kindOf = (d: DeviceKind): SessionKind => (d === 'ios' || d === 'android' ? 'mobile' : 'web');

/** The numeric session id of an event's context (drift sends some as strings), or null. */
function sessionIdOf(ev: Record<string, unknown>): number | null {
  const ctx = ev.context as Record<string, unknown> | undefined;
  const v = ctx?.session_id;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) ? n : null;
}

const userIdOf = (holder: unknown): string | null => {
  const u = (holder as { user?: { id?: unknown } } | undefined)?.user?.id;
  return typeof u === 'string' ? u : null;
};

/** Which kinds a generated reset event ended. */
function resetKinds(ev: Record<string, unknown>): SessionKind[] | null {
  if (ev.action === 'user_sessions_reset_by_anomaly_event_response') return ['web', 'mobile'];
  if (ev.action !== 'user_session_reset_by_admin') return null;
  const d = (ev.details ?? {}) as Record<string, unknown>;
  return d.mobile_only === true ? ['mobile'] : d.web_only === true ? ['web'] : ['web', 'mobile'];
}

/**
 * The org's active sessions.
 *
 * @example
 * const store = SessionStore.fromOrg(sim.users, sim.events());
 * store.reset('W0MATT0001', ['web']) // the sessions it ended
 */
export class SessionStore {
  private readonly byUser = new Map<string, SimSession[]>();

  /** Sessions of every device, minus those the generated log already ended. */
  static fromOrg(users: readonly SimUser[], events: readonly SimEvent[]): SessionStore {
    const last = new Map<number, { ts: number; ua: string; ip: string }>();
    const resets = new Map<string, Array<{ ts: number; kinds: SessionKind[] }>>();
    for (const { event: ev } of events) {
      const ts = typeof ev.date_create === 'number' ? ev.date_create : 0;
      const kinds = resetKinds(ev);
      const target = kinds ? userIdOf(ev.entity) : null;
      if (kinds && target) resets.set(target, [...(resets.get(target) ?? []), { ts, kinds }]);
      const sid = sessionIdOf(ev);
      if (sid === null || userIdOf(ev.actor) === null) continue;
      const prev = last.get(sid);
      if (!prev || ts >= prev.ts) {
        const ctx = ev.context as Record<string, unknown>;
        last.set(sid, { ts, ua: String(ctx.ua ?? ''), ip: String(ctx.ip_address ?? '') });
      }
    }
    const store = new SessionStore();
    for (const u of users) {
      const sessions: SimSession[] = [];
      for (const d of u.devices) {
        const kind = kindOf(d.kind);
        const seen = last.get(d.sessionId);
        const ended = (resets.get(u.id) ?? []).some((r) => r.kinds.includes(kind) && r.ts >= (seen?.ts ?? -Infinity));
        if (ended) continue;
        const s: SimSession = { sessionId: d.sessionId, userId: u.id, teamId: u.team, kind, created: clientInfo(d.ua, d.ip) };
        if (seen && (seen.ua !== d.ua || seen.ip !== d.ip) && seen.ua !== '') s.recent = clientInfo(seen.ua, seen.ip);
        sessions.push(s);
      }
      store.byUser.set(u.id, sessions);
    }
    return store;
  }

  /** A user's active sessions (empty for an unknown user). */
  sessionsOf(userId: string): SimSession[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** Every active session, by user id then session id. */
  all(): SimSession[] {
    return [...this.byUser.keys()].sort().flatMap((u) => [...this.byUser.get(u)!].sort((a, b) => a.sessionId - b.sessionId));
  }

  /** End the user's sessions of these kinds; returns the ended ones. */
  reset(userId: string, kinds: readonly SessionKind[]): SimSession[] {
    const mine = this.byUser.get(userId) ?? [];
    const ended = mine.filter((s) => kinds.includes(s.kind));
    this.byUser.set(userId, mine.filter((s) => !kinds.includes(s.kind)));
    return ended;
  }

  /** The active session with this id, or undefined. */
  find(sessionId: number): SimSession | undefined {
    for (const list of this.byUser.values()) {
      const s = list.find((x) => x.sessionId === sessionId);
      if (s) return s;
    }
    return undefined;
  }

  /** End one session; returns it, or undefined when no active session has the id. */
  invalidate(sessionId: number): SimSession | undefined {
    const s = this.find(sessionId);
    if (s) this.byUser.set(s.userId, this.byUser.get(s.userId)!.filter((x) => x !== s));
    return s;
  }
}
