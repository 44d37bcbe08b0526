/**
 * Anomaly events (`action: "anomaly"`, docs/slack-api.md section 3): the builder, the pairing rules Slack guarantees, and
 * a realistic background rate so detections have noise and per-user baselines to work against.
 */
import { burstTimes, type Emit, type OrgIndex } from './activity.ts';
import { ELSEWHERE, elsewhereIp, personalIp, slackDesktopUa, suspiciousIp } from './agents.ts';
import {
  actorOf,
  auditEvent,
  contextOf,
  fileEntity,
  SLACK_SECURITY,
  urlPrivate,
  userEntity,
  type Client,
  type Json,
} from './builders.ts';
import { inRange, localDays, type Range } from './calendar.ts';
import type { Org, SimUser } from './org.ts';
import type { Rng } from './random.ts';

/** The 18 documented reason codes (S3). */
export const ANOMALY_REASONS = [
  'asn',
  'excessive_downloads',
  'excessive_file_shares',
  'excessive_malware_uploads',
  'ip_address',
  'potential_spam',
  'search_volume',
  'session_fingerprint',
  'spoofed_user_agent',
  'tor',
  'unexpected_admin_action',
  'unexpected_api_call_volume',
  'unexpected_client',
  'unexpected_credential_testing',
  'unexpected_message_deletion',
  'unexpected_scraping',
  'unexpected_user_agent',
  'user_agent',
] as const;

/** `[a, b]`: whenever reason `a` appears, `b` appears too (S3). */
export const PAIRING_RULES: ReadonlyArray<readonly [string, string]> = [
  ['asn', 'ip_address'],
  ['unexpected_user_agent', 'user_agent'],
  ['spoofed_user_agent', 'unexpected_client'],
];

/**
 * The pairing rules a reason list breaks (empty when it is valid).
 *
 * @example
 * pairingViolations(['asn'])               // ['asn without ip_address']
 * pairingViolations(['asn', 'ip_address']) // []
 */
export function pairingViolations(reasons: readonly string[]): string[] {
  return PAIRING_RULES.filter(([a, b]) => reasons.includes(a) && !reasons.includes(b)).map(([a, b]) => `${a} without ${b}`);
}

/** Everything that varies between anomalies. */
export interface AnomalySpec {
  ts: number;
  user: SimUser;
  reasons: string[];
  /** The client that triggered it: goes to `context`, not `details` (S3). */
  client: Client;
  location: string;
  /** Blank when the entity has not used another address since the session started (S3). */
  previousIp?: string;
  /** Blank when the UA has not changed since the session started (S3). */
  previousUa?: string;
  /** How long before `date_create` the anomalous act happened. */
  delaySec: number;
  /** Send `action_timestamp` in milliseconds (13 digits) instead of microseconds (16 digits). */
  millis?: boolean;
  /** Extra details such as `ip_address_details` or `detected_client`. */
  extra?: Json;
}

/**
 * Build an anomaly event; actor and entity are both the user. Throws on a reason list that breaks a pairing rule, so
 * the generator cannot emit an impossible anomaly.
 *
 * @example
 * buildAnomaly(org, rng, { ts, user, reasons: ['asn', 'ip_address'], client, location: 'Reno, Nevada',
 *   previousIp: '203.0.113.20', previousUa: '', delaySec: 40, extra: { ip_address_details: ['new-asn'] } })
 */
export function buildAnomaly(org: Org, rng: Rng, spec: AnomalySpec): Json {
  const bad = pairingViolations(spec.reasons);
  if (bad.length > 0) throw new Error(`impossible anomaly: ${bad.join(', ')}`);
  const at = spec.ts - spec.delaySec;
  const actionTimestamp = spec.millis ? at * 1000 + rng.int(0, 999) : at * 1_000_000 + rng.int(0, 999_999);
  const details: Json = {
    action_timestamp: actionTimestamp,
    location: spec.location,
    previous_ip_address: spec.previousIp ?? '',
    previous_ua: spec.previousUa ?? '',
    reason: spec.reasons,
    ...spec.extra,
  };
  const ctx = contextOf(org, spec.user, spec.client, rng.chance(0.5) ? 'enterprise' : 'workspace');
  // S3's own example has a "workspace" location carrying the enterprise id: never trust the id prefix.
  if (rng.chance(0.15)) ctx.location = { type: 'workspace', id: org.enterprise.id, name: org.enterprise.name, domain: org.enterprise.domain };
  return auditEvent(rng, spec.ts, 'anomaly', actorOf(spec.user), userEntity(spec.user), ctx, details);
}

/**
 * What Anomaly Event Response writes when it signs a user out (on by default for Tor and scraping, S12).
 *
 * @example
 * aerReset(org, rng, ts, user)
 */
export function aerReset(org: Org, rng: Rng, ts: number, u: SimUser): Json {
  const ctx = contextOf(org, u, { ua: '', ip: '', sessionId: null }, 'enterprise');
  return auditEvent(rng, ts, 'user_sessions_reset_by_anomaly_event_response', actorOf(SLACK_SECURITY), userEntity(u), ctx);
}

function primaryClient(u: SimUser): Client {
  const d = u.devices[0]!;
  return { ua: d.ua, ip: d.ip, sessionId: d.sessionId };
}

/** Benign UA changes: the iOS notification extension, or a desktop app downgrade. */
function userAgentSwitch(u: SimUser): { client: Client; previousUa: string; extra?: Json } {
  const ios = u.devices.find((d) => d.kind === 'ios');
  if (ios) {
    const previousUa = ios.ua.replace('com.tinyspeck.chatlyio/', 'com.tinyspeck.chatlyio.NotificationService/');
    return { client: { ua: ios.ua, ip: ios.ip, sessionId: ios.sessionId }, previousUa };
  }
  const p = primaryClient(u);
  return {
    client: { ...p, ua: slackDesktopUa(p.ua.includes('Windows') ? 'windows' : 'mac', '4.39.95') },
    previousUa: p.ua,
    extra: { user_agent_change_details: ['interface-downgrade'] },
  };
}

/**
 * The background anomalies of a normal week: network changes, UA switches, the heavy downloaders'
 * `excessive_downloads` (with the downloads that caused them), and now and then Tor, session fingerprint, spoofed
 * client and unexpected UA anomalies. People in `exclude` (the story's cast) are left alone.
 *
 * @example
 * backgroundAnomalies(org, indexOrg(org), rng.fork('anomalies'), range, (ev) => events.push(ev), new Set([STORY.userId]));
 */
export function backgroundAnomalies(org: Org, idx: OrgIndex, rng: Rng, range: Range, emit: Emit, exclude: Set<string>): void {
  const people = org.users.filter((u) => !exclude.has(u.id));
  const put = (ev: Json): void => {
    if (inRange(range, ev.date_create as number)) emit(ev);
  };
  const millis = (): boolean => rng.chance(0.25);
  for (const u of people) {
    for (const day of localDays(range, u.office.utcOffset)) {
      if (day.weekend) continue;
      const work = (): number => day.midnight + rng.int(9 * 3600, 17 * 3600);
      const p = primaryClient(u);
      if (rng.chance(1 / 120)) {
        const t = work();
        const client = { ...p, ip: elsewhereIp(rng) };
        put(auditEvent(rng, t - 30, 'user_login', actorOf(u), userEntity(u), contextOf(org, u, client, 'enterprise'), { authentication_method: 'saml' }));
        put(buildAnomaly(org, rng, {
          ts: t, user: u, reasons: ['asn', 'ip_address'], client, location: rng.pick(ELSEWHERE),
          previousIp: rng.chance(0.8) ? p.ip : '', previousUa: '', delaySec: rng.int(20, 600), millis: millis(),
          extra: { ip_address_details: ['new-asn'] },
        }));
      }
      if (rng.chance(1 / 600)) {
        put(buildAnomaly(org, rng, {
          ts: work(), user: u, reasons: ['ip_address'], client: { ...p, ip: suspiciousIp(rng) }, location: 'Ashburn, Virginia',
          previousIp: p.ip, previousUa: '', delaySec: rng.int(20, 600), millis: millis(),
          extra: { ip_address_details: ['cloud-asn'] },
        }));
      }
      if (rng.chance(1 / 150)) {
        const sw = userAgentSwitch(u);
        put(buildAnomaly(org, rng, {
          ts: work(), user: u, reasons: ['user_agent'], client: sw.client, location: u.office.location,
          previousIp: '', previousUa: sw.previousUa, delaySec: rng.int(20, 600), millis: millis(), extra: sw.extra,
        }));
      }
      if (u.heavyDownloader && rng.chance(0.85)) {
        // Never more than 3 a day: the baseline a "more than usual" rule learns from.
        const bursts = rng.int(1, 3);
        const files = idx.filesByTeam.get(u.team) ?? org.files;
        for (let b = 0; b < bursts; b++) {
          const start = day.midnight + 9 * 3600 + Math.floor(((b + rng.next()) * 8 * 3600) / bursts);
          const times = burstTimes(rng, rng.int(12, 20), start, start + 600);
          for (const t of times) {
            const f = rng.pick(files);
            put(auditEvent(rng, t, 'file_downloaded', actorOf(u), fileEntity(f), contextOf(org, u, p, 'workspace'), { url_private: urlPrivate(f) }));
          }
          const last = times[times.length - 1]!;
          put(buildAnomaly(org, rng, {
            ts: last + rng.int(60, 300), user: u, reasons: ['excessive_downloads'], client: p, location: u.office.location,
            previousIp: '', previousUa: '', delaySec: last - start + 60, millis: millis(),
          }));
        }
      }
    }
  }
  if (people.length === 0) return;
  for (const day of localDays(range, 0)) {
    const t = day.midnight + rng.int(6 * 3600, 22 * 3600);
    if (rng.chance(0.15)) {
      const u = rng.pick(people);
      put(buildAnomaly(org, rng, {
        ts: t, user: u, reasons: ['tor'], client: { ...primaryClient(u), ip: suspiciousIp(rng) }, location: 'Unknown',
        previousIp: primaryClient(u).ip, previousUa: '', delaySec: rng.int(20, 300), millis: millis(),
      }));
      put(aerReset(org, rng, t + rng.int(5, 60), u));
    }
    if (rng.chance(0.2)) {
      const u = rng.pick(people);
      put(buildAnomaly(org, rng, {
        ts: t + 3600, user: u, reasons: ['session_fingerprint'], client: { ...primaryClient(u), ip: elsewhereIp(rng) },
        location: rng.pick(ELSEWHERE), previousIp: primaryClient(u).ip, previousUa: '', delaySec: rng.int(20, 900), millis: millis(),
      }));
    }
    if (rng.chance(0.2)) {
      const u = rng.pick(people);
      const extra: Json = rng.chance(0.5) ? { detected_client: 'unknown' } : { detected_client: 'unknown', detected_os: 'Linux' };
      put(buildAnomaly(org, rng, {
        ts: t + 7200, user: u, reasons: ['spoofed_user_agent', 'unexpected_client'], client: { ...primaryClient(u), ip: personalIp(rng) },
        location: u.office.location, previousIp: '', previousUa: '', delaySec: rng.int(20, 900), millis: millis(), extra,
      }));
    }
    if (rng.chance(0.1)) {
      const u = rng.pick(people);
      put(buildAnomaly(org, rng, {
        ts: t + 10800, user: u, reasons: ['unexpected_user_agent', 'user_agent'], client: { ...primaryClient(u), ua: 'Go-http-client/2.0' },
        location: u.office.location, previousIp: '', previousUa: primaryClient(u).ua, delaySec: rng.int(20, 900), millis: millis(),
      }));
    }
  }
}
