/**
 * The shapes of audit events (docs/slack-api.md 2.1-2.4), built the same way for every action so drift is added on purpose
 * (see `drift.ts`) rather than by accident.
 */
import type { Org, SimApp, SimChannel, SimFile, SimUser, Workspace } from './org.ts';
import type { Rng } from './random.ts';

export type Json = Record<string, unknown>;

/** One audit entry as the simulator holds it. */
export interface SimEvent {
  /** The parsed event. Treat as read-only: `raw` is what the server sends. */
  event: Json;
  /** The exact JSON text the server sends for this entry. */
  raw: string;
  /** Unix seconds. A late event is hidden from `/logs` until then. */
  visibleAt?: number;
}

/** Who is named in an actor, an entity or `details.inviter`. */
export interface Person {
  id: string;
  name: string;
  email: string;
  team: string;
}

/** The placeholder actors Slack itself uses (docs/slack-api.md 2.1). */
export const SLACK_SECURITY: Person = { id: 'USLACKSECURITY', name: 'Slack Security', email: '', team: '' };

/** The network side of an event: which client, from where. */
export interface Client {
  ua: string;
  ip: string;
  sessionId: number | string | null;
}

/**
 * `{id, name, email, team}`: the user object of actors and user entities.
 *
 * @example
 * userRef(user) // { id: 'W0ABC', name: 'Alice Smith', email: 'alice.smith@acme.example', team: 'T0ACMESAL1' }
 */
export function userRef(u: Person): Person {
  return { id: u.id, name: u.name, email: u.email, team: u.team };
}

/**
 * `{type:"user", user:{...}}`, the only actor type Slack documents.
 *
 * @example
 * actorOf(user).type // 'user'
 */
export function actorOf(u: Person): Json {
  return { type: 'user', user: userRef(u) };
}

/**
 * A user as the entity (logins, anomalies, role changes).
 *
 * @example
 * userEntity(user) // { type: 'user', user: { id, name, email, team } }
 */
export function userEntity(u: Person): Json {
  return { type: 'user', user: userRef(u) };
}

/**
 * A file entity, keyed by its type as every entity is.
 *
 * @example
 * fileEntity(file) // { type: 'file', file: { id: 'F0…', name: 'budget.xlsx', filetype: 'xlsx', title: 'budget' } }
 */
export function fileEntity(f: SimFile): Json {
  return { type: 'file', file: { id: f.id, name: f.name, filetype: f.filetype, title: f.title } };
}

/**
 * A channel entity.
 *
 * @example
 * channelEntity(ch).channel.privacy // 'public'
 */
export function channelEntity(c: SimChannel): Json {
  return {
    type: 'channel',
    channel: {
      id: c.id,
      name: c.name,
      privacy: c.privacy,
      is_shared: c.is_shared,
      is_org_shared: c.is_org_shared,
      teams_shared_with: c.teams_shared_with,
    },
  };
}

/**
 * An app entity (the app object is also what `context.app` carries).
 *
 * @example
 * appEntity(app) // { type: 'app', app: { id: 'A0…', name: 'Zoom', … } }
 */
export function appEntity(a: SimApp): Json {
  return { type: 'app', app: appObject(a) };
}

/**
 * The app object carried in `context.app` when an app triggered the event.
 *
 * @example
 * const ctx = { ...contextOf(org, user, client, 'workspace'), app: appObject(app) };
 */
export function appObject(a: SimApp): Json {
  return {
    id: a.id,
    name: a.name,
    is_distributed: a.is_distributed,
    is_directory_approved: a.is_directory_approved,
    is_workflow_app: a.is_workflow_app,
    scopes: a.scopes,
  };
}

/**
 * A workspace or the enterprise as the entity (pref changes, exports).
 *
 * @example
 * placeEntity('enterprise', ENTERPRISE) // { type: 'enterprise', enterprise: { id: 'E0ACME0001', … } }
 */
export function placeEntity(type: 'workspace' | 'enterprise', w: Workspace): Json {
  return { type, [type]: { id: w.id, name: w.name, domain: w.domain } };
}

/**
 * `context.location`: Slack says it is "always either a Workspace or an Enterprise".
 *
 * @example
 * locationOf(org, user, 'enterprise') // { type: 'enterprise', id: 'E0ACME0001', name: 'Acme Corp', domain: 'acme' }
 */
export function locationOf(org: Org, u: Pick<SimUser, 'team'>, level: 'workspace' | 'enterprise'): Json {
  const w = level === 'enterprise' ? org.enterprise : (org.workspaces.find((x) => x.id === u.team) ?? org.enterprise);
  return { type: level, id: w.id, name: w.name, domain: w.domain };
}

/**
 * The `context` object, in the field order of Slack's documented example.
 *
 * @example
 * contextOf(org, user, { ua, ip: '203.0.113.9', sessionId: 123 }, 'workspace')
 */
export function contextOf(org: Org, u: Pick<SimUser, 'team'>, c: Client, level: 'workspace' | 'enterprise'): Json {
  return { location: locationOf(org, u, level), ua: c.ua, session_id: c.sessionId, ip_address: c.ip };
}

/**
 * Assemble one audit event with a fresh id. `details` is left out when absent, as Slack does for most actions.
 *
 * @example
 * auditEvent(rng, 1700000000, 'user_login', actorOf(u), userEntity(u), ctx, { authentication_method: 'saml' })
 */
export function auditEvent(
  rng: Rng,
  ts: number,
  action: string,
  actor: Json,
  entity: Json,
  context: Json,
  details?: Json,
): Json {
  const ev: Json = { id: rng.uuid(), date_create: ts, action, actor, entity, context };
  if (details !== undefined) ev.details = details;
  return ev;
}

/**
 * Slack's private download URL for a file (the `details.url_private` of downloads).
 *
 * @example
 * urlPrivate(file) // 'https://files.slack.com/files-pri/T0ACMESAL1-F0GLENGARRY/glengarry-leads.xlsx'
 */
export function urlPrivate(f: SimFile): string {
  return `https://files.slack.com/files-pri/${f.team}-${f.id}/${encodeURIComponent(f.name.toLowerCase())}`;
}
