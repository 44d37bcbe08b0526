/**
 * The simulated organisation: workspaces, people and their devices, files, channels and apps.
 * Pure data; what people do with it is in `activity.ts` and `anomalies.ts`.
 */
import { OFFICES, officeIp, personalIp, userAgentFor, type DeviceKind, type Office } from './agents.ts';
import type { Rng } from './random.ts';

/** A workspace, or the enterprise itself: the `{id, name, domain}` shape of `context.location`. */
export interface Workspace {
  id: string;
  name: string;
  domain: string;
}

/** One signed-in client: a UA, its session id and the address it usually connects from. */
export interface Device {
  kind: DeviceKind;
  ua: string;
  /** Numeric, as Slack usually sends it; drift turns some into strings or null on the wire. */
  sessionId: number;
  ip: string;
}

export interface SimUser {
  id: string;
  name: string;
  email: string;
  /** Home workspace id (`T…`). */
  team: string;
  role: 'member' | 'admin' | 'owner';
  office: Office;
  /** The one or two addresses this person normally uses. */
  ips: string[];
  /** The first device is the primary one. */
  devices: Device[];
  /** Baseline events per working day (30-60). */
  activity: number;
  /** A benign outlier who downloads a lot and so gets `excessive_downloads` anomalies most days. */
  heavyDownloader: boolean;
}

export interface SimFile {
  id: string;
  name: string;
  filetype: string;
  title: string;
  team: string;
}

export interface SimChannel {
  id: string;
  name: string;
  privacy: 'public' | 'private';
  is_shared: boolean;
  is_org_shared: boolean;
  teams_shared_with: string[];
  team: string;
}

export interface SimApp {
  id: string;
  name: string;
  is_distributed: boolean;
  is_directory_approved: boolean;
  is_workflow_app: boolean;
  scopes: string[];
}

export interface Org {
  enterprise: Workspace;
  workspaces: Workspace[];
  users: SimUser[];
  files: SimFile[];
  channels: SimChannel[];
  apps: SimApp[];
  /** The eDiscovery app: its downloads are attributed to the admin who installed it (docs/slack-api.md 7.10). */
  ediscoveryApp: SimApp;
}

export const ENTERPRISE: Workspace = { id: 'E0ACME0001', name: 'Acme Corp', domain: 'acme' };

export const WORKSPACES: readonly Workspace[] = [
  { id: 'T0ACMESAL1', name: 'Acme Sales', domain: 'acme-sales' },
  { id: 'T0ACMEENG1', name: 'Acme Engineering', domain: 'acme-eng' },
  { id: 'T0ACMEOPS1', name: 'Acme Operations', domain: 'acme-ops' },
];

const FIRST = [
  'Alice', 'Bob', 'Carmen', 'Dev', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal', 'Kira', 'Liam', 'Maya', 'Noor',
  'Oscar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Victor', 'Wen', 'Ximena', 'Yusuf', 'Zoe', 'Aaron', 'Beatriz',
  'Chen', 'Dana', 'Emeka', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Marco', 'Nadia',
];
const LAST = [
  'Smith', 'Okafor', 'Novak', 'Garcia', 'Kim', 'Patel', 'Rossi', 'Müller', 'Dubois', 'Tanaka', 'Silva', 'Johansson',
  'Haddad', 'Nguyen', 'Kowalski', 'Brown', 'Ibrahim', 'Costa', 'Schmidt', 'Larsen', 'Moreau', 'Ahmed', 'Walker', 'Sato',
  'Fischer', 'Lopez', 'Chowdhury', 'Murphy', 'Yilmaz', 'Andersen', 'Reyes', 'Clarke', 'Petrov', 'Mensah', 'Berg', 'Ortiz',
];

const FILE_STEMS = [
  ['Q3-Forecast', 'xlsx'], ['design-review', 'pdf'], ['onboarding-guide', 'docx'], ['standup-notes', 'txt'],
  ['architecture', 'png'], ['roadmap-2025', 'pptx'], ['incident-postmortem', 'docx'], ['budget', 'xlsx'],
  ['customer-feedback', 'csv'], ['logo-final', 'png'], ['release-notes', 'md'], ['contract-draft', 'pdf'],
  ['screenshot', 'png'], ['meeting-recording', 'mp4'], ['sprint-plan', 'xlsx'], ['hiring-plan', 'docx'],
  ['brand-guidelines', 'pdf'], ['api-spec', 'yaml'], ['test-results', 'zip'], ['invoice', 'pdf'],
] as const;

const CHANNEL_STEMS = [
  'general', 'random', 'announcements', 'team', 'deals', 'help', 'incidents', 'platform', 'design', 'standup',
  'hiring', 'releases', 'customers', 'support', 'social', 'leads', 'infra', 'finance', 'legal', 'offsite',
];

const APPS: readonly Omit<SimApp, 'id'>[] = [
  { name: 'Google Drive', is_distributed: true, is_directory_approved: true, is_workflow_app: false, scopes: ['files:read', 'links:read', 'links:write'] },
  { name: 'Jira Cloud', is_distributed: true, is_directory_approved: true, is_workflow_app: false, scopes: ['chat:write', 'commands', 'links:read'] },
  { name: 'Zoom', is_distributed: true, is_directory_approved: true, is_workflow_app: false, scopes: ['calls:write', 'commands', 'users:read'] },
  { name: 'GitHub', is_distributed: true, is_directory_approved: true, is_workflow_app: false, scopes: ['chat:write', 'commands', 'links:read'] },
  { name: 'Salesforce', is_distributed: true, is_directory_approved: true, is_workflow_app: false, scopes: ['chat:write', 'users:read.email'] },
  { name: 'Standup Bot', is_distributed: false, is_directory_approved: false, is_workflow_app: true, scopes: ['chat:write', 'channels:history'] },
  { name: 'PDF Converter Pro', is_distributed: true, is_directory_approved: false, is_workflow_app: false, scopes: ['files:read', 'files:write', 'channels:history'] },
];

const EDISCOVERY: Omit<SimApp, 'id'> = {
  name: 'Acme eDiscovery',
  is_distributed: false,
  is_directory_approved: true,
  is_workflow_app: false,
  scopes: ['admin', 'discovery:read', 'files:read'],
};

/**
 * Make an id of Slack's shape with a fixed prefix, unique within `taken`.
 *
 * @example
 * slackId(rng, 'W0', new Set()) // 'W0K3J9QZ2A'
 */
export function slackId(rng: Rng, prefix: string, taken: Set<string>, length = 8): string {
  for (;;) {
    const id = prefix + rng.alnum(length);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

function fileTypeOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? 'binary' : name.slice(dot + 1).toLowerCase();
}

/**
 * A file record; `title` is the name without its extension, as Slack fills it in for uploads.
 *
 * @example
 * makeFile('F0GLENGARRY', 'Glengarry-Leads.xlsx', 'T0ACMESAL1') // { filetype: 'xlsx', title: 'Glengarry-Leads', ... }
 */
export function makeFile(id: string, name: string, team: string): SimFile {
  const dot = name.lastIndexOf('.');
  return { id, name, filetype: fileTypeOf(name), title: dot > 0 ? name.slice(0, dot) : name, team };
}

function makeUser(rng: Rng, index: number, ids: Set<string>, emails: Set<string>): SimUser {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const base = `${first}.${last}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ü/g, 'u')
    .toLowerCase();
  let email = `${base}@acme.example`;
  for (let n = 2; emails.has(email); n++) email = `${base}${n}@acme.example`;
  emails.add(email);
  const team = rng.pick([WORKSPACES[0]!, WORKSPACES[0]!, WORKSPACES[1]!, WORKSPACES[1]!, WORKSPACES[1]!, WORKSPACES[2]!]).id;
  const office = rng.pick(OFFICES);
  const remote = rng.chance(0.15);
  const ips = remote ? [personalIp(rng)] : rng.chance(0.5) ? [officeIp(rng), personalIp(rng)] : [officeIp(rng)];
  const primaryKind: DeviceKind = rng.chance(0.7) ? 'desktop' : 'browser';
  const devices: Device[] = [
    { kind: primaryKind, ua: userAgentFor(rng, primaryKind), sessionId: rng.int(1e12, 9.99e12), ip: ips[0]! },
  ];
  if (rng.chance(0.6)) {
    const kind: DeviceKind = rng.chance(0.6) ? 'ios' : 'android';
    devices.push({ kind, ua: userAgentFor(rng, kind), sessionId: rng.int(1e12, 9.99e12), ip: ips[ips.length - 1]! });
  }
  return {
    id: slackId(rng, 'W0', ids),
    name: `${first} ${last}`,
    email,
    team,
    role: index === 0 ? 'owner' : rng.chance(0.03) ? 'admin' : 'member',
    office,
    ips,
    devices,
    activity: rng.int(30, 60),
    heavyDownloader: false,
  };
}

/**
 * Build the organisation: `userCount` generated people plus the fixed ones (the story's cast), their files, channels
 * and apps. At least one admin always exists, because admin actions (pref changes, session resets) need an actor.
 *
 * @example
 * const org = buildOrg(createRng(42).fork('org'), 20, []);
 * org.users.length // 20
 */
export function buildOrg(rng: Rng, userCount: number, fixedUsers: SimUser[]): Org {
  const ids = new Set<string>(fixedUsers.map((u) => u.id));
  const emails = new Set<string>(fixedUsers.map((u) => u.email));
  const users: SimUser[] = [];
  for (let i = 0; i < userCount; i++) users.push(makeUser(rng, i, ids, emails));
  if (users.length > 1 && !users.some((u) => u.role === 'admin')) users[1]!.role = 'admin';

  // Two or three benign heavy downloaders give `excessive_downloads` a per-user baseline to compare against.
  const heavyCount = Math.min(users.length > 3 ? rng.int(2, 3) : 0, users.length);
  const candidates = users.filter((u) => u.role === 'member');
  for (let i = 0; i < heavyCount && candidates.length > 0; i++) {
    const u = candidates.splice(rng.int(0, candidates.length - 1), 1)[0]!;
    u.heavyDownloader = true;
  }

  const all = [...users, ...fixedUsers];
  const fileIds = new Set<string>();
  const files: SimFile[] = [];
  const channels: SimChannel[] = [];
  const channelIds = new Set<string>();
  for (const ws of WORKSPACES) {
    const members = all.filter((u) => u.team === ws.id).length;
    const fileCount = Math.max(30, members * 4);
    for (let i = 0; i < fileCount; i++) {
      const [stem, ext] = rng.pick(FILE_STEMS);
      const name = rng.chance(0.5) ? `${stem}.${ext}` : `${stem}-${rng.int(1, 99)}.${ext}`;
      files.push(makeFile(slackId(rng, 'F0', fileIds), name, ws.id));
    }
    const prefix = ws.domain.replace('acme-', '');
    const channelCount = Math.max(8, Math.ceil(members / 4));
    for (let i = 0; i < channelCount; i++) {
      const stem = CHANNEL_STEMS[i % CHANNEL_STEMS.length]!;
      const name = i < CHANNEL_STEMS.length ? `${prefix}-${stem}` : `${prefix}-${stem}-${i}`;
      const shared = rng.chance(0.08);
      channels.push({
        id: slackId(rng, 'C0', channelIds),
        name,
        privacy: rng.chance(0.3) ? 'private' : 'public',
        is_shared: shared,
        is_org_shared: shared && rng.chance(0.5),
        teams_shared_with: shared ? WORKSPACES.filter((w) => w.id !== ws.id).map((w) => w.id) : [],
        team: ws.id,
      });
    }
  }
  const appIds = new Set<string>();
  const apps = APPS.map((a) => ({ id: slackId(rng, 'A0', appIds), ...a }));
  const ediscoveryApp = { id: slackId(rng, 'A0', appIds), ...EDISCOVERY };
  return { enterprise: ENTERPRISE, workspaces: [...WORKSPACES], users: all, files, channels, apps, ediscoveryApp };
}
