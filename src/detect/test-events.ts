/**
 * Events for rule tests, written briefly in YAML and completed with defaults into full audit events:
 *
 *   - {action: anomaly, at: +10m, reasons: [user_agent], ua: "Go-http-client/2.0"}
 *   - {action: file_downloaded, user: W0BOB, file: {id: F1, name: q3.xlsx}}
 *
 * Shorthands: `at` (offset from the test's base time, `+90s`, `-2d`, or an ISO time), `user` (id or
 * {id, name, email}), `ip`, `ua`, `session`, `reasons`, `file` ({id, name} or a name), `target_user` (entity user).
 * Anything else is taken as a raw event field and deep-merged over the defaults (`details`, `context`, ...).
 */
import { readFileSync } from 'node:fs';
import { validateEventValue } from '../events/validate.ts';
import type { IncomingEvent } from '../store/types.ts';
import { parseDuration } from '../util/time.ts';

/** 2024-06-03T10:00:00Z, a Monday: the time `at` offsets count from. */
export const TEST_BASE_TIME = 1717408800;

export const DEFAULT_TEST_USER = { id: 'W0TEST0001', name: 'Test User', email: 'test.user@example.com', team: 'T0TEST0001' };
export const DEFAULT_TEST_IP = '203.0.113.10';
export const DEFAULT_TEST_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

/**
 * Read an `at` value: `+10m`, `-2d`, `0`, a number of seconds from the base, or an ISO 8601 time.
 *
 * @example atTime('+10m') // TEST_BASE_TIME + 600
 */
export function atTime(at: unknown, base = TEST_BASE_TIME): number {
  if (typeof at === 'number') return base + at;
  if (typeof at !== 'string') throw new Error(`at: must be an offset such as +10m or an ISO time (got ${JSON.stringify(at)})`);
  const m = /^([+-])\s*(.+)$/.exec(at.trim());
  if (m) return base + (m[1] === '-' ? -1 : 1) * parseDuration(m[2]!);
  if (/^\d+$/.test(at.trim())) return base + Number(at);
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`at: cannot read "${at}" (use +10m, -2d or an ISO time)`);
  return Math.floor(ms / 1000);
}

function userObj(u: unknown): Obj {
  if (typeof u === 'string') return { id: u, name: `User ${u}`, email: `${u.toLowerCase()}@example.com`, team: DEFAULT_TEST_USER.team };
  if (isObj(u)) return { ...DEFAULT_TEST_USER, ...u };
  throw new Error('user: must be a user id or {id, name, email}');
}

/**
 * Complete a test event spec into a raw audit event.
 *
 * @example
 * testEvent({ action: 'anomaly', reasons: ['tor'], at: '+5m' }, 0)
 * // { id: 'e1', date_create: 1717409100, action: 'anomaly', actor: {...}, entity: {...}, context: {...}, details: { reason: ['tor'] } }
 */
export function testEvent(spec: Obj, index: number, base = TEST_BASE_TIME): Obj {
  const { at, user, ip, ua, session, reasons, file, target_user, ...rest } = spec;
  const action = rest.action ?? (reasons !== undefined ? 'anomaly' : undefined);
  if (typeof action !== 'string') throw new Error('action: required (or give reasons for an anomaly)');
  const u = user !== undefined ? userObj(user) : { ...DEFAULT_TEST_USER };
  let entity: Obj = { type: 'user', user: target_user !== undefined ? userObj(target_user) : u };
  if (file !== undefined) {
    const f = typeof file === 'string' ? { id: `F${index + 1}`, name: file } : (file as Obj);
    entity = { type: 'file', file: { filetype: String(f.name ?? '').split('.').pop(), title: f.name, ...f } };
  }
  const ev: Obj = {
    id: `e${index + 1}`,
    date_create: at !== undefined ? atTime(at, base) : base,
    action,
    actor: { type: 'user', user: u },
    entity,
    context: {
      location: { type: 'enterprise', id: 'E0TEST0001', name: 'Test Org', domain: 'test-org' },
      ua: ua ?? DEFAULT_TEST_UA,
      ip_address: ip ?? DEFAULT_TEST_IP,
      session_id: session ?? '1000000001',
    },
  };
  if (reasons !== undefined) ev.details = { reason: reasons };
  return deepMerge(ev, rest);
}

/**
 * Validate and normalise raw events for storing; throws naming the event and the problem.
 *
 * @example const incoming = toIncoming([testEvent({ action: 'user_login' }, 0)], 'test 1')
 */
export function toIncoming(events: readonly unknown[], where: string): IncomingEvent[] {
  return events.map((e, i) => {
    const raw = JSON.stringify(e);
    const v = validateEventValue(e, raw);
    if (!v.ok) throw new Error(`${where}: event ${i + 1}: ${v.reason}`);
    return { raw, norm: v.norm };
  });
}

/**
 * Read a fixture file: JSON lines or one JSON array of audit events.
 *
 * @example readFixture('rules/fixtures/matt-scraping.jsonl')
 */
export function readFixture(path: string): unknown[] {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('[')) return JSON.parse(text) as unknown[];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('//'))
    .map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch (e) {
        throw new Error(`${path}: line ${i + 1}: ${(e as Error).message}`);
      }
    });
}
