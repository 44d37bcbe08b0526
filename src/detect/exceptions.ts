/**
 * Rule exceptions at run time: an event an exception covers is left out of the rule, like an excluded user (it
 * neither fires nor counts). An exception covers events *before* its expiry, judged by the event's own time, not
 * the clock: so a replay and incremental runs agree whenever they run, and an expired exception stops applying to
 * new events while the alerts it suppressed in its time stay suppressed.
 */
import { isoSeconds, type RuleException } from '../config/rule-exceptions.ts';
import { ipInCidrs, parseCidrList } from '../enrich/ip.ts';
import type { Subject } from './compiled.ts';
import type { EventView } from './event-view.ts';

export type ExceptionTest = (v: EventView) => boolean;

const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);

/** The app of an event: the entity when it is an app, and the app that acted (`context.app`). */
function appsOf(v: EventView): Array<{ id: string | null; name: string | null }> {
  const out: Array<{ id: string | null; name: string | null }> = [];
  if (v.norm.entityType === 'app') out.push({ id: v.norm.entityId, name: v.norm.entityName });
  const ctxApp = v.rawPath(['context', 'app']);
  if (ctxApp && typeof ctxApp === 'object') {
    const a = ctxApp as Record<string, unknown>;
    out.push({ id: str(a.id), name: str(a.name) });
  }
  return out;
}

/**
 * The test of one exception: does it cover this event, whose alert would belong to `subjectOf(v)`?
 *
 * @example
 * const covers = exceptionTest({ ip: '192.0.2.0/24', reason: 'scanner', author: 'cli:alice', created: '2025-06-01' }, rule.subjectOf);
 * covers(view) // true for an event from 192.0.2.7
 */
export function exceptionTest(e: RuleException, subjectOf: (v: EventView) => Subject, subjectIdOf: (v: EventView) => string | null = (v) => subjectOf(v).id): ExceptionTest {
  const until = e.expires !== undefined ? isoSeconds(e.expires) : Infinity;
  let covers: ExceptionTest;
  if (e.user !== undefined) {
    const want = e.user;
    const byEmail = want.includes('@');
    const lower = want.toLowerCase();
    // Only an email reads the subject's email (in a replay the actor's email is read from the database on demand).
    covers = byEmail ? (v) => subjectOf(v).email?.toLowerCase() === lower : (v) => subjectIdOf(v) === want;
  } else if (e.app !== undefined) {
    const lower = e.app.toLowerCase();
    covers = (v) => appsOf(v).some((a) => a.id === e.app || a.name?.toLowerCase() === lower);
  } else {
    const cidrs = parseCidrList([e.ip!]);
    covers = (v) => v.norm.ip !== null && v.norm.ip !== '' && ipInCidrs(v.norm.ip, cidrs);
  }
  return (v) => v.norm.ts < until && covers(v);
}

/**
 * One test for a rule's exceptions (null when it has none, so the engine's fast paths stay on).
 *
 * @example const excepted = exceptionsTest(override.exceptions, rule.subjectOf, (v) => v.norm.actorId)
 */
export function exceptionsTest(list: readonly RuleException[], subjectOf: (v: EventView) => Subject, subjectIdOf?: (v: EventView) => string | null): ExceptionTest | null {
  if (list.length === 0) return null;
  const tests = list.map((e) => exceptionTest(e, subjectOf, subjectIdOf));
  return (v) => tests.some((t) => t(v));
}
