import { SEVERITIES, type Severity } from '../../config/schema.ts';
import type { CompiledRule } from '../compiled.ts';
import type { EventView } from '../event-view.ts';

/**
 * The highest severity any of the events gives (each event: first matching `severity_by` entry, else the base).
 *
 * @example maxSeverity(rule, firing.events) // 'critical'
 */
export function maxSeverity(rule: CompiledRule, events: readonly EventView[]): Severity {
  let best = -1;
  for (const v of events) {
    const r = SEVERITIES.indexOf(rule.severityOf(v));
    if (r > best) best = r;
  }
  return best < 0 ? rule.severity : SEVERITIES[best]!;
}
