/**
 * Ordinary working-day activity of each person: logins, file traffic, channel life, the odd app install.
 * Volumes follow the brief: 30-60 events per person per working day, a trickle at weekends, bunched in bursts so many
 * events share a second (ties are what break naive pagination).
 */
import {
  actorOf,
  appEntity,
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
import type { Device, Org, SimChannel, SimFile, SimUser } from './org.ts';
import { weighted, type Rng } from './random.ts';

/** Where generated events go. */
export type Emit = (ev: Json) => void;

/**
 * Timestamps for `count` events between `from` and `to`, in bursts of 1-5 with a third of the gaps zero, sorted.
 *
 * @example
 * burstTimes(createRng(1), 5, 1000, 2000) // e.g. [1102, 1102, 1105, 1733, 1733]
 */
export function burstTimes(rng: Rng, count: number, from: number, to: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    let t = rng.int(from, to);
    const size = Math.min(rng.int(1, 5), count - out.length);
    for (let i = 0; i < size; i++) {
      out.push(t);
      t += rng.chance(0.35) ? 0 : rng.int(1, 20);
    }
  }
  return out.sort((a, b) => a - b);
}

const LOGIN_METHOD = weighted([['saml', 90], ['password', 4], ['2fa', 3], ['magic_link', 3]] as const);

const MIX = weighted([
  ['file_downloaded', 34],
  ['file_uploaded', 10],
  ['file_shared', 9],
  ['user_channel_join', 8],
  ['user_channel_leave', 2],
  ['user_login', 2],
  ['file_deleted', 1.2],
  ['public_channel_created', 1.2],
  ['private_channel_created', 0.8],
  ['user_profile_updated', 0.8],
  ['emoji_added', 0.8],
  ['channel_renamed', 0.4],
  ['public_channel_archive', 0.3],
  ['channel_tab_added', 0.3],
  ['channel_posting_permissions_updated', 0.2],
  ['file_public_link_created', 0.2],
  ['work_object_record_created', 0.15],
  ['app_installed', 0.1],
  ['app_scopes_expanded', 0.08],
] as const);

const EMOJI = ['partyparrot', 'shipit', 'this-is-fine', 'lgtm', 'coffee-time', 'acme-logo', 'deal-closed', 'facepalm'];
const PROJECT_WORDS = ['apollo', 'falcon', 'q1-launch', 'migration', 'pricing', 'offsite', 'hack-week', 'renewals'];

/** Indexes of the org by workspace, built once per generation. */
export interface OrgIndex {
  usersByTeam: Map<string, SimUser[]>;
  filesByTeam: Map<string, SimFile[]>;
  channelsByTeam: Map<string, SimChannel[]>;
}

/**
 * Group people, files and channels by workspace.
 *
 * @example
 * const idx = indexOrg(org);
 * idx.filesByTeam.get('T0ACMESAL1')?.length
 */
export function indexOrg(org: Org): OrgIndex {
  const group = <T extends { team: string }>(xs: T[]): Map<string, T[]> => {
    const m = new Map<string, T[]>();
    for (const x of xs) {
      const list = m.get(x.team) ?? [];
      list.push(x);
      m.set(x.team, list);
    }
    return m;
  };
  return { usersByTeam: group(org.users), filesByTeam: group(org.files), channelsByTeam: group(org.channels) };
}

/**
 * The client a device presents: its UA and session, from its usual address or (sometimes) the person's other one,
 * because people move between office and home during a week.
 *
 * @example
 * clientOf(rng, user, user.devices[0]!) // { ua: 'Mozilla/5.0 (Macintosh; …', ip: '203.0.113.20', sessionId: 4821… }
 */
export function clientOf(rng: Rng, u: SimUser, d: Device): Client {
  const ip = u.ips.length > 1 && rng.chance(0.1) ? u.ips.find((x) => x !== d.ip)! : d.ip;
  return { ua: d.ua, ip, sessionId: d.sessionId };
}

/** Builds one event of a given action for a person at a time, from the shared indexes. */
function buildAction(org: Org, idx: OrgIndex, rng: Rng, u: SimUser, t: number, c: Client, action: string): Json {
  const ws = contextOf(org, u, c, 'workspace');
  const ent = contextOf(org, u, c, 'enterprise');
  const files = idx.filesByTeam.get(u.team) ?? org.files;
  const channels = idx.channelsByTeam.get(u.team) ?? org.channels;
  const me = actorOf(u);
  switch (action) {
    case 'file_downloaded': {
      const f = rng.pick(files);
      return auditEvent(rng, t, action, me, fileEntity(f), ws, { url_private: urlPrivate(f) });
    }
    case 'file_uploaded':
    case 'file_deleted':
    case 'file_public_link_created':
      return auditEvent(rng, t, action, me, fileEntity(rng.pick(files)), ws);
    case 'file_shared': {
      const ch = rng.pick(channels);
      return auditEvent(rng, t, action, me, fileEntity(rng.pick(files)), ws, {
        shared_with: { channel_id: ch.id },
        is_ext_shared: ch.is_shared && !ch.is_org_shared,
        teams_shared_with: ch.teams_shared_with,
      });
    }
    case 'user_channel_join': {
      const ch = rng.pick(channels);
      const colleagues = idx.usersByTeam.get(u.team) ?? [];
      if (colleagues.length > 1 && rng.chance(0.5)) {
        // Invited joins carry the inviter's context, not the joiner's (docs/slack-api.md 2.3): a classic attribution trap.
        const inviter = rng.pick(colleagues.filter((x) => x.id !== u.id));
        const d = inviter.devices[0]!;
        const ictx = contextOf(org, inviter, { ua: d.ua, ip: d.ip, sessionId: d.sessionId }, 'workspace');
        return auditEvent(rng, t, action, me, channelEntity(ch), ictx, { inviter: userRef(inviter) });
      }
      return auditEvent(rng, t, action, me, channelEntity(ch), ws);
    }
    case 'user_channel_leave':
    case 'channel_tab_added':
    case 'channel_posting_permissions_updated':
    case 'public_channel_archive': {
      const pub = channels.filter((x) => x.privacy === 'public');
      return auditEvent(rng, t, action, me, channelEntity(rng.pick(pub.length > 0 ? pub : channels)), ws);
    }
    case 'channel_renamed':
      return auditEvent(rng, t, action, me, channelEntity(rng.pick(channels)), ws);
    case 'public_channel_created':
    case 'private_channel_created': {
      const ch: SimChannel = {
        id: `C0${rng.alnum(9)}`,
        name: `proj-${rng.pick(PROJECT_WORDS)}-${rng.int(1, 999)}`,
        privacy: action === 'public_channel_created' ? 'public' : 'private',
        is_shared: false,
        is_org_shared: false,
        teams_shared_with: [],
        team: u.team,
      };
      return auditEvent(rng, t, action, me, channelEntity(ch), ws);
    }
    case 'user_login':
      return auditEvent(rng, t, action, me, userEntity(u), ent, { authentication_method: LOGIN_METHOD(rng) });
    case 'user_profile_updated':
      return auditEvent(rng, t, action, me, userEntity(u), ws, {
        previous_profile: { real_name: u.name, display_name: '' },
        new_profile: { real_name: u.name, display_name: u.name.split(' ')[0] },
      });
    case 'emoji_added': {
      const w = org.workspaces.find((x) => x.id === u.team) ?? org.workspaces[0]!;
      return auditEvent(rng, t, action, me, placeEntity('workspace', w), ws, { name: `${rng.pick(EMOJI)}-${rng.int(1, 99)}` });
    }
    case 'work_object_record_created': {
      // An entity type gridwatch does not know yet: parsers must keep it, not drop the event.
      const entity = {
        type: 'work_object_record',
        work_object_record: {
          id: `WOR${rng.alnum(10)}`,
          title: `Opportunity ${rng.int(1000, 9999)}`,
          external_ref: { id: `006${rng.alnum(12)}`, type: 'salesforce_opportunity' },
        },
      };
      return auditEvent(rng, t, action, me, entity, ws);
    }
    case 'app_installed':
    case 'app_scopes_expanded': {
      const app = rng.pick(org.apps);
      const ctx = { ...ws, app: appObject(app) };
      const details: Json =
        action === 'app_installed'
          ? { scopes: app.scopes, bot_scopes: ['chat:write'], installer_user_id: u.id, is_internal_integration: !app.is_distributed }
          : { previous_scopes: app.scopes.slice(0, 1), new_scopes: app.scopes };
      return auditEvent(rng, t, action, me, appEntity(app), ctx, details);
    }
    default:
      throw new Error(`activity has no builder for ${action}`);
  }
}

/**
 * All ordinary events of one person over the range. Each working day opens with a login on the primary device
 * (mostly SAML), now and then after a failed attempt, and sometimes closes with a logout.
 *
 * @example
 * personActivity(org, indexOrg(org), rng.fork(user.id), user, { start, end }, (ev) => events.push(ev));
 */
export function personActivity(org: Org, idx: OrgIndex, rng: Rng, u: SimUser, range: Range, emit: Emit): void {
  for (const day of localDays(range, u.office.utcOffset)) {
    let count: number;
    let from: number;
    let to: number;
    if (day.weekend) {
      if (!rng.chance(0.25)) continue;
      count = rng.int(1, 8);
      from = day.midnight + rng.int(10, 18) * 3600;
      to = from + rng.int(1800, 7200);
    } else {
      count = Math.round(u.activity * (0.8 + 0.4 * rng.next()));
      from = day.midnight + 8 * 3600 + rng.int(0, 5400);
      to = day.midnight + 17 * 3600 + rng.int(0, 7200);
    }
    const times = burstTimes(rng, count, from, to);
    const primary = u.devices[0]!;
    const mobile = u.devices[1];
    times.forEach((t, i) => {
      if (!inRange(range, t)) return;
      const device = mobile && rng.chance(0.2) ? mobile : primary;
      if (i === 0) {
        const c = { ua: primary.ua, ip: primary.ip, sessionId: primary.sessionId };
        if (rng.chance(0.04) && inRange(range, t - 30)) {
          emit(auditEvent(rng, t - rng.int(5, 30), 'user_login_failed', actorOf(u), userEntity(u), contextOf(org, u, { ...c, sessionId: null }, 'enterprise')));
        }
        emit(buildAction(org, idx, rng, u, t, c, 'user_login'));
        return;
      }
      const c = clientOf(rng, u, device);
      if (i === times.length - 1 && rng.chance(0.3)) {
        emit(auditEvent(rng, t, 'user_logout', actorOf(u), userEntity(u), contextOf(org, u, c, 'enterprise')));
        return;
      }
      const action = MIX(rng);
      // A second login only makes sense on the other device.
      const dev = action === 'user_login' && mobile ? mobile : device;
      emit(buildAction(org, idx, rng, u, t, dev === device ? c : clientOf(rng, u, dev), action));
    });
  }
}
