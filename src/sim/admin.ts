/**
 * Organisation-level activity by admins, apps and Slack itself: preference changes, role changes, session resets,
 * exports, malware detections, bulk channel joins and eDiscovery downloads. Low volume, high signal.
 */
import { burstTimes, type Emit, type OrgIndex } from './activity.ts';
import {
  actorOf,
  appObject,
  auditEvent,
  channelEntity,
  contextOf,
  fileEntity,
  placeEntity,
  urlPrivate,
  userEntity,
  userRef,
  type Client,
  type Json,
} from './builders.ts';
import { inRange, localDays, type Range } from './calendar.ts';
import type { Org, SimUser } from './org.ts';
import { weighted, type Rng } from './random.ts';

/** A preference change and the values it flips between; values are strings, arrays or objects on purpose (drift). */
type PrefChange = readonly [action: string, previous: unknown, next: unknown];

const PREFS = weighted<PrefChange>([
  [['pref.session_duration_changed', '720', '168'], 3],
  [['pref.who_can_create_public_channels', { type: ['ADMINS_ONLY'] }, { type: ['EVERYONE'] }], 2],
  [['pref.enterprise_default_channels', ['C0GENERAL01'], ['C0GENERAL01', 'C0ANNOUNCE1']], 2],
  [['pref.allow_message_deletion', 'true', 'false'], 2],
  [['pref.public_channel_retention_changed', null, 'RETAIN_ALL'], 1],
  [['pref.disallow_public_file_urls', 'false', 'true'], 1],
  [['pref.app_dir_only', 'false', 'true'], 1],
  [['pref.two_factor_auth_changed', 'optional', 'required'], 0.5],
  [['pref.sso_setting_changed', 'required', 'optional'], 0.3],
]);

const EDISCOVERY_UA = 'AcmeEDiscovery/2.3.1 (+https://ediscovery.acme.example)';

function clientOfUser(u: SimUser): Client {
  const d = u.devices[0]!;
  return { ua: d.ua, ip: d.ip, sessionId: d.sessionId };
}

/**
 * Generate the organisation-level events over the range, day by day (UTC), during the hours the offices overlap.
 *
 * @example
 * adminActivity(org, indexOrg(org), rng.fork('admin'), { start, end }, (ev) => events.push(ev), new Set([STORY.userId]));
 */
export function adminActivity(org: Org, idx: OrgIndex, rng: Rng, range: Range, emit: Emit, exclude: Set<string>): void {
  const admins = org.users.filter((u) => u.role !== 'member' && !exclude.has(u.id));
  const members = org.users.filter((u) => u.role === 'member' && !exclude.has(u.id));
  const owner = org.users.find((u) => u.role === 'owner') ?? admins[0];
  if (!owner || admins.length === 0) return;
  const at = (t: number, ev: (t: number) => Json): void => {
    if (inRange(range, t)) emit(ev(t));
  };
  for (const day of localDays(range, 0)) {
    if (day.weekend) continue;
    const hours = (): number => day.midnight + rng.int(14 * 3600, 20 * 3600);
    const admin = rng.pick(admins);
    const ent = contextOf(org, admin, clientOfUser(admin), 'enterprise');

    if (rng.chance(0.7)) {
      const [action, previous, next] = PREFS(rng);
      at(hours(), (t) =>
        auditEvent(rng, t, action, actorOf(admin), placeEntity('enterprise', org.enterprise), ent, {
          previous_value: previous,
          new_value: next,
        }),
      );
    }
    if (members.length > 0 && rng.chance(0.12)) {
      const target = rng.pick(members);
      const oc = contextOf(org, owner, clientOfUser(owner), 'enterprise');
      at(hours(), (t) => auditEvent(rng, t, 'role_change_to_admin', actorOf(owner), userEntity(target), oc));
    }
    if (members.length > 0 && rng.chance(0.4)) {
      const target = rng.pick(members);
      const mobileOnly = rng.chance(0.2);
      at(hours(), (t) =>
        auditEvent(rng, t, 'user_session_reset_by_admin', actorOf(admin), userEntity(target), ent, {
          mobile_only: mobileOnly,
          web_only: false,
          non_sso_only: false,
        }),
      );
    }
    if (rng.chance(0.15)) {
      at(hours(), (t) => auditEvent(rng, t, 'manual_export_started', actorOf(owner), placeEntity('enterprise', org.enterprise), ent));
    }
    if (members.length > 0 && rng.chance(0.25)) {
      const uploader = rng.pick(members);
      const f = rng.pick(idx.filesByTeam.get(uploader.team) ?? org.files);
      const ctx = contextOf(org, uploader, clientOfUser(uploader), 'workspace');
      at(hours(), (t) => auditEvent(rng, t, 'file_malicious_content_detected', actorOf(uploader), fileEntity(f), ctx));
    }
    for (const ws of org.workspaces) {
      // An admin adds a batch of people to a channel at once: one second, many entries, the inviter's context.
      const people = (idx.usersByTeam.get(ws.id) ?? []).filter((u) => !exclude.has(u.id));
      const channels = idx.channelsByTeam.get(ws.id) ?? [];
      if (people.length < 3 || channels.length === 0 || !rng.chance(0.5)) continue;
      const t = hours();
      const ch = rng.pick(channels);
      const ictx = contextOf(org, admin, clientOfUser(admin), 'workspace');
      const n = Math.min(people.length, rng.int(8, 25));
      for (let i = 0; i < n; i++) {
        const joiner = people[(i * 7 + t) % people.length]!;
        at(t, (t) => auditEvent(rng, t, 'user_channel_join', actorOf(joiner), channelEntity(ch), ictx, { inviter: userRef(admin) }));
      }
    }
    if (rng.chance(0.3)) {
      // eDiscovery downloads are attributed to the installing admin; only context.app tells them apart.
      const client: Client = { ua: EDISCOVERY_UA, ip: '10.200.0.15', sessionId: null };
      const ctx = { ...contextOf(org, owner, client, 'enterprise'), app: appObject(org.ediscoveryApp) };
      const start = hours();
      for (const t of burstTimes(rng, rng.int(5, 15), start, start + 120)) {
        const f = rng.pick(org.files);
        at(t, (t) => auditEvent(rng, t, 'file_downloaded', actorOf(owner), fileEntity(f), ctx, { url_private: urlPrivate(f) }));
      }
    }
  }
}
