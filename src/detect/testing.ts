/**
 * Helpers for engine tests: stores filled from brief event specs, engines on in-memory alert stores, and a
 * comparable form of alerts.
 */
import { MemoryAlertStore } from '../alerts/memory.ts';
import type { Alert, AlertStore } from '../alerts/types.ts';
import { configFromObject } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import type { AsnInfo } from '../enrich/asn.ts';
import type { IncomingEvent, Store } from '../store/types.ts';
import { createEngine, type AlertNotifier, type Engine } from './engine.ts';
import { buildEnv } from './env.ts';
import { MemoryStore } from './memory-store.ts';
import { loadEnabledRules } from './rule-loader.ts';
import { testEvent, toIncoming } from './test-events.ts';

/** A fixed clock for stored alert times. */
export const TEST_NOW = () => Date.UTC(2024, 6, 1);

/**
 * Events from brief specs (see test-events.ts), ids e1, e2, ...
 *
 * @example const evs = specEvents([{ reasons: ['tor'] }, { action: 'user_login', at: '-1d' }])
 */
export function specEvents(specs: ReadonlyArray<Record<string, unknown>>): IncomingEvent[] {
  return toIncoming(specs.map((s, i) => testEvent(s, i)), 'test');
}

/**
 * An engine over the built-in rules (or those named) with an in-memory alert store.
 *
 * @example const engine = testEngine({ allowlists: { trusted_cidrs: ['198.51.100.0/24'] } }, ['anomaly-from-new-ip'])
 */
export function testEngine(
  config: Record<string, unknown> | Config = {},
  only?: readonly string[],
  opts: { alerts?: AlertStore; notifier?: AlertNotifier | null; lookupAsn?: (ip: string) => AsnInfo | null } = {},
): Engine {
  const cfg = 'baseDir' in config ? (config as Config) : configFromObject(config, 'test config');
  const env = buildEnv(cfg, opts.lookupAsn ? { lookupAsn: opts.lookupAsn } : {});
  const rules = loadEnabledRules(cfg, env).filter((r) => !only || only.includes(r.id));
  return createEngine(cfg, opts.alerts ?? new MemoryAlertStore(), { env, rules, notifier: opts.notifier ?? null, now: TEST_NOW });
}

/**
 * A store holding the given events.
 *
 * @example const store = await storeWith(specEvents([...]))
 */
export async function storeWith(events: readonly IncomingEvent[]): Promise<Store> {
  const s = new MemoryStore();
  await s.appendEvents([...events]);
  return s;
}

/**
 * What an alert says, without storage times: equal for equal detections.
 *
 * @example expect(alerts.map(comparable)).toEqual(other.map(comparable))
 */
export function comparable(a: Alert): Record<string, unknown> {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    title: a.title,
    user_id: a.user_id,
    first_ts: a.first_ts,
    last_ts: a.last_ts,
    event_ids: a.event_ids,
    event_count: a.event_count,
    context: a.context,
  };
}

/**
 * Stable sort for comparing alert lists.
 *
 * @example sortAlerts(await engine.alerts.list()).map(comparable)
 */
export function sortAlerts<T extends { id: string }>(alerts: T[]): T[] {
  return [...alerts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
