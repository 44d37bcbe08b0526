/**
 * Before an exception is saved: how many stored alerts of its rule would it have suppressed? An alert is suppressed
 * when the exception covers every one of its stored triggering events (the same test the engine applies), so the
 * count is what a `gridwatch detect` replay with the exception would remove.
 */
import type { RuleException } from '../config/rule-exceptions.ts';
import type { AlertStore } from '../alerts/types.ts';
import type { Store } from '../store/types.ts';
import type { CompiledRule } from './compiled.ts';
import { EventView } from './event-view.ts';
import { exceptionTest } from './exceptions.ts';

export interface ExceptionPreview {
  rule: string;
  /** Stored alerts of the rule. */
  alerts: number;
  /** Of those, the ones every triggering event of which the exception covers. */
  suppressed: number;
  /** Their ids, newest first (at most 20, for the analyst to look at). */
  examples: string[];
}

const PAGE = 500;

/**
 * Count the stored alerts of `rule` the exception would have suppressed.
 *
 * @example
 * const p = await previewException(store, store.alertStore(), rule, { app: 'A0PDF', reason: 'approved', author: 'cli:alice', created: '2025-06-01' });
 * p.suppressed // 12
 */
export async function previewException(store: Pick<Store, 'getEvents'>, alerts: AlertStore, rule: CompiledRule, e: RuleException): Promise<ExceptionPreview> {
  const covers = exceptionTest(e, rule.subjectOf);
  const out: ExceptionPreview = { rule: rule.id, alerts: 0, suppressed: 0, examples: [] };
  for (let offset = 0; ; offset += PAGE) {
    const page = await alerts.list({ rule: [rule.id], limit: PAGE, offset });
    for (const a of page) {
      out.alerts++;
      const events = await store.getEvents(a.event_ids);
      if (events.length > 0 && events.every((ev) => covers(new EventView(ev)))) {
        out.suppressed++;
        if (out.examples.length < 20) out.examples.push(a.id);
      }
    }
    if (page.length < PAGE) return out;
  }
}
