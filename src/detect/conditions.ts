/**
 * Conditions compiled to plain closures once per rule, so evaluating one on an event is a few property reads.
 *
 * Semantics (documented in rules/README.md):
 * - a field holding an array (e.g. `reasons`) matches when *any* element matches, except `exists` (non-empty) and
 *   `subset_of` (every element is in the list);
 * - `contains` is membership for arrays and substring for strings;
 * - a missing field matches nothing but `exists: false` (and `not`).
 */
import { parseUserAgent, uaFamilyKey } from '../enrich/ua.ts';
import { parseCidrList, ipInCidrs, slash24 } from '../enrich/ip.ts';
import type { DetectEnv } from './env.ts';
import type { EventView } from './event-view.ts';
import { targetUserOf } from './target-user.ts';
import { OPERATORS, type Condition, type LeafCondition } from './rule-schema.ts';

export type Predicate = (v: EventView) => boolean;
export type Getter = (v: EventView) => unknown;

/** A rule that refers to something that does not exist (a list name): reported as `path: why` at load. */
export class CompileError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CompileError';
  }
}

/** Fields read from the normalised columns: no JSON parsing. */
const ALIASES: Record<string, Getter> = {
  id: (v) => v.norm.id,
  ts: (v) => v.norm.ts,
  action: (v) => v.norm.action,
  user_id: (v) => v.norm.actorId,
  user_name: (v) => v.norm.actorName,
  user_email: (v) => v.norm.actorEmail,
  actor_id: (v) => v.norm.actorId,
  entity_id: (v) => v.norm.entityId,
  entity_type: (v) => v.norm.entityType,
  entity_name: (v) => v.norm.entityName,
  ip: (v) => v.norm.ip,
  ua: (v) => v.norm.ua,
  session_id: (v) => v.norm.sessionId,
  reasons: (v) => v.reasons,
  location_id: (v) => v.norm.locationId,
};

/**
 * A getter for a field: an alias, a derived value, or a dotted path into the raw event.
 *
 * @example
 * fieldGetter('details.previous_ua', env)(view) // the previous user agent
 * fieldGetter('ip_24', env)(view)               // '203.0.113.0/24'
 */
export function fieldGetter(path: string, env: DetectEnv): Getter {
  const alias = ALIASES[path];
  if (alias) return alias;
  switch (path) {
    case 'actor_type':
      return (v) => v.norm.actorType ?? v.rawPath(['actor', 'type']);
    case 'ip_24':
      return (v) => (v.norm.ip ? slash24(v.norm.ip) : null);
    case 'asn':
      return (v) => env.lookupAsn(v.norm.ip)?.asn ?? null;
    case 'ua_family':
      return (v) => (v.norm.ua ? parseUserAgent(v.norm.ua).family : null);
    case 'ua_name':
      return (v) => (v.norm.ua ? uaFamilyKey(v.norm.ua) : null);
    case 'ua_version':
      return (v) => (v.norm.ua ? parseUserAgent(v.norm.ua).version : null);
    case 'target_user_id':
      return (v) => targetUserOf(v).id;
  }
  const segs = path.split('.');
  return (v) => v.rawPath(segs);
}

type Test = (x: unknown) => boolean;

const lower = (x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x);

/** Build the element test of a leaf (applied to each element of an array value). */
function elementTest(leaf: LeafCondition, op: string, env: DetectEnv, path: string): Test {
  const ci = leaf.ignore_case === true;
  const norm = ci ? lower : (x: unknown) => x;
  const str = (x: unknown): string | null => (typeof x === 'string' ? (ci ? x.toLowerCase() : x) : typeof x === 'number' ? String(x) : null);
  switch (op) {
    case 'equals': {
      const want = norm(leaf.equals);
      return (x) => norm(x) === want || (typeof x === 'number' && typeof want === 'string' && String(x) === want);
    }
    case 'in':
    case 'subset_of': {
      const set = new Set((op === 'in' ? leaf.in! : leaf.subset_of!).map((s) => (typeof s === 'number' ? String(s) : norm(s))));
      return (x) => set.has(typeof x === 'number' ? String(x) : norm(x));
    }
    case 'contains': {
      const want = ci ? leaf.contains!.toLowerCase() : leaf.contains!;
      return (x) => str(x)?.includes(want) ?? false;
    }
    case 'prefix': {
      const want = ci ? leaf.prefix!.toLowerCase() : leaf.prefix!;
      return (x) => str(x)?.startsWith(want) ?? false;
    }
    case 'suffix': {
      const want = ci ? leaf.suffix!.toLowerCase() : leaf.suffix!;
      return (x) => str(x)?.endsWith(want) ?? false;
    }
    case 'regex': {
      const re = new RegExp(leaf.regex!, ci ? 'i' : '');
      return (x) => (typeof x === 'string' ? re.test(x) : false);
    }
    case 'cidr': {
      const cidrs = parseCidrList(Array.isArray(leaf.cidr) ? leaf.cidr : [leaf.cidr!]);
      return (x) => typeof x === 'string' && ipInCidrs(x, cidrs);
    }
    case 'in_list': {
      const list = env.list(leaf.in_list!);
      if (!list) throw new CompileError(`${path}.in_list`, `no list named "${leaf.in_list}" (known: ${env.listNames().join(', ')})`);
      return (x) => list.has(x);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = leaf[op]!;
      const cmp = op === 'gt' ? (a: number) => a > n : op === 'gte' ? (a: number) => a >= n : op === 'lt' ? (a: number) => a < n : (a: number) => a <= n;
      return (x) => {
        const a = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
        return Number.isFinite(a) && cmp(a);
      };
    }
  }
  throw new CompileError(path, `unknown operator ${op}`);
}

function isEmpty(x: unknown): boolean {
  return x === null || x === undefined || x === '' || (Array.isArray(x) && x.length === 0);
}

/**
 * The getter of a leaf's field, with `minus` applied: the elements another field does not hold (the scopes added
 * are `details.new_scopes` minus `details.previous_scopes`).
 */
function leafGetter(leaf: LeafCondition, env: DetectEnv): Getter {
  const get = fieldGetter(leaf.field, env);
  if (leaf.minus === undefined) return get;
  const other = fieldGetter(leaf.minus, env);
  return (v) => {
    const x = get(v);
    const o = other(v);
    const drop = new Set(Array.isArray(o) ? o : o === null || o === undefined ? [] : [o]);
    if (Array.isArray(x)) return x.filter((e) => !drop.has(e));
    return drop.has(x) ? null : x;
  };
}

/** `equals_field`: the value (any element of an array) equals the other field's value; missing or empty never does. */
function equalsField(leaf: LeafCondition, env: DetectEnv, get: Getter): Predicate {
  const other = fieldGetter(leaf.equals_field!, env);
  const same = (a: unknown, b: unknown) => !isEmpty(a) && (a === b || (typeof a === 'number' && String(a) === b) || (typeof b === 'number' && String(b) === a));
  return (v) => {
    const x = get(v);
    const o = other(v);
    if (isEmpty(o)) return false;
    return Array.isArray(x) ? x.some((e) => same(e, o)) : same(x, o);
  };
}

function compileLeaf(leaf: LeafCondition, env: DetectEnv, path: string): Predicate {
  const get = leafGetter(leaf, env);
  const op = OPERATORS.find((o) => leaf[o] !== undefined)!;
  if (op === 'equals_field') return equalsField(leaf, env, get);
  if (op === 'exists') {
    const want = leaf.exists!;
    return (v) => isEmpty(get(v)) !== want;
  }
  const test = elementTest(leaf, op, env, path);
  if (op === 'subset_of') {
    return (v) => {
      const x = get(v);
      if (Array.isArray(x)) return x.length > 0 && x.every(test);
      return !isEmpty(x) && test(x);
    };
  }
  return (v) => {
    const x = get(v);
    if (Array.isArray(x)) {
      for (const e of x) if (test(e)) return true;
      return false;
    }
    return x !== null && x !== undefined && test(x);
  };
}

/**
 * Compile a condition tree into a predicate. Throws `CompileError` naming the path of a reference that does not
 * resolve (an unknown list).
 *
 * @example
 * const p = compileCondition({ all: [{ field: 'action', equals: 'anomaly' }, { field: 'reasons', contains: 'tor' }] }, env, 'where');
 * p(view) // true for a Tor anomaly
 */
export function compileCondition(c: Condition, env: DetectEnv, path: string): Predicate {
  if ('all' in c) {
    const ps = c.all.map((x, i) => compileCondition(x, env, `${path}.all[${i}]`));
    if (ps.length === 1) return ps[0]!;
    return (v) => {
      for (const p of ps) if (!p(v)) return false;
      return true;
    };
  }
  if ('any' in c) {
    const ps = c.any.map((x, i) => compileCondition(x, env, `${path}.any[${i}]`));
    return (v) => {
      for (const p of ps) if (p(v)) return true;
      return false;
    };
  }
  if ('not' in c) {
    const p = compileCondition(c.not, env, `${path}.not`);
    return (v) => !p(v);
  }
  return compileLeaf(c, env, path);
}

/**
 * The actions a condition can possibly match, for the engine's action index; null when it can match any action.
 *
 * @example
 * actionsOf({ all: [{ field: 'action', in: ['a', 'b'] }, { field: 'ip', exists: true }] }) // Set {'a', 'b'}
 */
export function actionsOf(c: Condition): Set<string> | null {
  if ('all' in c) {
    let acc = null as Set<string> | null;
    for (const x of c.all) {
      const s = actionsOf(x);
      if (!s) continue;
      const prev: Set<string> | null = acc;
      acc = prev ? new Set([...prev].filter((a) => s.has(a))) : s;
    }
    return acc;
  }
  if ('any' in c) {
    const out = new Set<string>();
    for (const x of c.any) {
      const s = actionsOf(x);
      if (!s) return null;
      for (const a of s) out.add(a);
    }
    return out;
  }
  if ('not' in c) return null;
  if (c.field !== 'action' || c.ignore_case) return null;
  if (c.equals !== undefined) return typeof c.equals === 'string' ? new Set([c.equals]) : new Set();
  if (c.in !== undefined) return new Set(c.in.filter((x): x is string => typeof x === 'string'));
  return null;
}
