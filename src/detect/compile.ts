/**
 * Turn a validated rule definition into a `CompiledRule`: predicates compiled once, the action index entry, the
 * horizons, and the evaluator factory of its kind.
 */
import type { Severity } from '../config/schema.ts';
import type { CompiledRule, Subject } from './compiled.ts';
import { actionsOf, compileCondition, fieldGetter, type Predicate } from './conditions.ts';
import type { DetectEnv } from './env.ts';
import type { EventView } from './event-view.ts';
import { correlateEvaluator, correlateHorizons } from './kinds/correlate.ts';
import { matchEvaluator, matchHorizons } from './kinds/match.ts';
import { newValueEvaluator, newValueHorizons } from './kinds/new-value.ts';
import { thresholdEvaluator, thresholdHorizons } from './kinds/threshold.ts';
import { HISTORY, TRIGGER, type Horizons, type KeyEvaluator } from './kinds/types.ts';
import type { RuleDef } from './rule-schema.ts';
import { exceptionsTest } from './exceptions.ts';
import { targetUserOf } from './target-user.ts';

/** Actors that are not people: never a key for counting or baselines (docs/slack-api.md 2.1). */
export const PLACEHOLDER_ACTORS: ReadonlySet<string> = new Set(['USLACKSECURITY', 'USLACKUSER']);

const KEY_COLUMNS: Record<string, CompiledRule['keyColumn']> = { user_id: 'actor', actor_id: 'actor', entity_id: 'entity', ip: 'ip', session_id: 'session' };

function union(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a || !b) return null;
  return new Set([...a, ...b]);
}

/** The user a role went to; when the event names none, the actor, so the alert is not lost. */
function targetOrActor(v: EventView): Subject {
  const t = targetUserOf(v);
  return t.id ? t : { id: v.norm.actorId, name: v.norm.actorName, email: v.norm.actorEmail };
}

/**
 * Compile a rule. Throws `CompileError` (path: why) for references that do not resolve.
 *
 * @example
 * const rule = compileRule(def, env, { suppressDefault: 3600 });
 * rule.roles(view) & TRIGGER
 */
export function compileRule(def: RuleDef, env: DetectEnv, opts: { suppressDefault: number }): CompiledRule {
  const where = compileCondition(def.where, env, 'where');
  const sevBy = def.severity_by.map((s, i) => ({ when: compileCondition(s.when, env, `severity_by[${i}].when`), severity: s.severity }));
  const base = def.severity;
  const severityOf = (v: EventView): Severity => {
    for (const s of sevBy) if (s.when(v)) return s.severity;
    return base;
  };

  const subject = def.subject;
  const keyField = def.key ?? (subject === 'entity' ? 'entity_id' : subject === 'target_user' ? 'target_user_id' : 'user_id');
  // The default key of `subject: target_user` is the alert's user, actor fallback included (below).
  const keyGet = def.key === undefined && subject === 'target_user' ? (v: EventView) => subjectOf(v).id : fieldGetter(keyField, env);
  const keyedByActor = keyField === 'user_id' || keyField === 'actor_id';
  // A match rule fires on one event: any actor may be its subject. Counting and baselines skip placeholder actors.
  const skipPlaceholders = def.kind !== 'match' && keyedByActor;
  const keyOf = (v: EventView): string | null => {
    const k = keyGet(v);
    if (k === null || k === undefined || k === '') return null;
    const s = String(k);
    return skipPlaceholders && PLACEHOLDER_ACTORS.has(s) ? null : s;
  };
  const subjectOf = (v: EventView): Subject =>
    subject === 'entity'
      ? { id: v.norm.entityId, name: v.norm.entityName, email: (v.rawPath(['entity', v.norm.entityType ?? 'user', 'email']) as string | undefined) ?? null }
      : subject === 'target_user'
        ? targetOrActor(v)
        : { id: v.norm.actorId, name: v.norm.actorName, email: v.norm.actorEmail };
  const subjectIdOf = (v: EventView): string | null => (subject === 'actor' ? v.norm.actorId : subjectOf(v).id);

  const hasExclusions = Object.keys(env.config.allowlists.exclude_users).some((r) => r === def.id || r === '*');
  const byEmail = hasExclusions && env.excludesByEmail(def.id);
  const excepted = exceptionsTest(env.config.rules.overrides[def.id]?.exceptions ?? [], subjectOf, subjectIdOf);
  const excludedUser = (v: EventView): boolean => {
    if (!hasExclusions) return false;
    if (subject !== 'actor') {
      const s = subjectOf(v);
      return env.excluded(def.id, s.id, s.email);
    }
    // The actor's email is read from the database on demand in a replay: only when an exclusion names an email.
    return env.excluded(def.id, v.norm.actorId, null) || (byEmail && env.excluded(def.id, null, v.norm.actorEmail));
  };
  const excluded = excepted ? (v: EventView): boolean => excludedUser(v) || excepted(v) : excludedUser;

  let history: Predicate | null = null;
  let historyActions: Set<string> | null = new Set();
  let horizons: Horizons;
  let factory: (rule: CompiledRule) => () => KeyEvaluator;
  let newIpFastPath = false;

  switch (def.kind) {
    case 'match':
      horizons = matchHorizons;
      factory = (rule) => () => matchEvaluator(rule);
      break;
    case 'correlate': {
      const names = Object.keys(def.correlate.require);
      const conds = names.map((n) => compileCondition(def.correlate.require[n]!, env, `correlate.require.${n}`));
      horizons = correlateHorizons(def.correlate.window);
      factory = (rule) => () => correlateEvaluator(rule, conds, names, def.correlate.window);
      break;
    }
    case 'threshold':
      horizons = thresholdHorizons(def.threshold);
      factory = (rule) => () => thresholdEvaluator(rule, def.threshold, env.tz);
      break;
    case 'new_value': {
      const nv = def.new_value;
      const value = fieldGetter(nv.value, env);
      if (nv.history) {
        history = compileCondition(nv.history, env, 'new_value.history');
        historyActions = actionsOf(nv.history);
      } else {
        // Default history: any event of the key that carries the value.
        history = () => true;
        historyActions = null;
      }
      newIpFastPath = !nv.history && nv.value === 'ip' && keyedByActor;
      horizons = newValueHorizons(nv.lookback);
      factory = (rule) => () => newValueEvaluator(rule, value, nv.lookback, nv.grace);
      break;
    }
  }

  const triggerActions = actionsOf(def.where);
  const hist = history;
  const rule: CompiledRule = {
    def,
    id: def.id,
    severity: base,
    suppress: def.suppress ?? opts.suppressDefault,
    horizons,
    actions: hist ? union(triggerActions, historyActions) : triggerActions,
    triggerActions,
    roles: hist ? (v) => (where(v) ? TRIGGER : 0) | (hist(v) ? HISTORY : 0) : (v) => (where(v) ? TRIGGER : 0),
    keyOf,
    subjectOf,
    severityOf,
    excluded,
    newEvaluator: () => make(),
    keyColumn: KEY_COLUMNS[keyField] ?? null,
    newIpFastPath,
    historyLane:
      newIpFastPath && !hasExclusions && !excepted && triggerActions !== null
        ? {
            key: (n) => (n.actorId && !(skipPlaceholders && PLACEHOLDER_ACTORS.has(n.actorId)) ? n.actorId : null),
            value: (n) => n.ip,
          }
        : null,
  };
  const make = factory(rule);
  return rule;
}
