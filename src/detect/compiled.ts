/**
 * A rule ready to run: its definition (with config overrides applied), compiled predicates, the action index entry
 * and horizons the engine plans with, and a factory for per-key evaluators.
 */
import type { Severity } from '../config/schema.ts';
import type { HistoryFields } from '../events/schema.ts';
import type { Predicate } from './conditions.ts';
import type { EventView } from './event-view.ts';
import type { Horizons, KeyEvaluator } from './kinds/types.ts';
import type { RuleDef } from './rule-schema.ts';

export interface Subject {
  id: string | null;
  name: string | null;
  email: string | null;
}

export interface CompiledRule {
  readonly def: RuleDef;
  readonly id: string;
  /** Base severity after config overrides. */
  readonly severity: Severity;
  /** Suppression window, seconds. */
  readonly suppress: number;
  readonly horizons: Horizons;
  /** Actions the rule looks at (null: every action). */
  readonly actions: ReadonlySet<string> | null;
  /** Actions of the events it fires on (null: every action). */
  readonly triggerActions: ReadonlySet<string> | null;
  /** TRIGGER | HISTORY bits for an event (0: not for this rule). */
  roles(v: EventView): number;
  /** The grouping key of an event, or null to skip it. */
  keyOf(v: EventView): string | null;
  /** Whose alert an event makes (actor or entity). */
  subjectOf(v: EventView): Subject;
  /** Severity one event gives the alert (`severity_by`, else the base). */
  severityOf(v: EventView): Severity;
  /** True when a user exclusion applies to this event's subject. */
  excluded(v: EventView): boolean;
  newEvaluator(): KeyEvaluator;
  /** Where the key can be looked up in the store (`actor` / `entity` / `ip` / `session`), else null. */
  readonly keyColumn: 'actor' | 'entity' | 'ip' | 'session' | null;
  /**
   * A `new_value` rule on `ip` with the default history: incremental runs may answer "was this IP used before?" with
   * an indexed store query instead of reloading the user's month of events. Same definition, so same result.
   */
  readonly newIpFastPath: boolean;
  /**
   * For an event whose action the rule cannot fire on and that it only takes as history (a `new_value` rule with the
   * default history on `ip`, keyed by actor, without user exclusions): the key and value straight from the
   * normalised event, so a replay feeds such events without building a view. Null when events need the full path.
   */
  readonly historyLane: { key(n: HistoryFields): string | null; value(n: HistoryFields): string | null } | null;
}
