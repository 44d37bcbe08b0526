/**
 * Type drift, added on purpose to a fraction of events (docs/slack-api.md 7.9): the variants real collectors have tripped
 * over. Anomaly-specific drift (ms vs µs `action_timestamp`, multi-code reasons, blank previous values) is produced by
 * `anomalies.ts` where the anomaly is built.
 */
import type { Json } from './builders.ts';
import type { Rng } from './random.ts';

/** How often each variant appears. */
export interface DriftRates {
  /** `context.session_id` sent as a string instead of a number. */
  sessionIdString: number;
  /** `context.session_id` sent as null. */
  sessionIdNull: number;
  /** `context.ip_address` sent as "". */
  emptyIp: number;
  /** A field nobody documented, at the top level or in `context`. */
  unknownField: number;
  /** `context.app: null`, as Slack sent on every event for a while. */
  nullApp: number;
}

export const DEFAULT_DRIFT: DriftRates = {
  sessionIdString: 0.12,
  sessionIdNull: 0.04,
  emptyIp: 0.02,
  unknownField: 0.01,
  nullApp: 0.005,
};

const UNKNOWN_FIELDS: ReadonlyArray<(rng: Rng, ev: Json, ctx: Json) => void> = [
  (_rng, ev) => {
    ev.event_schema_version = 2;
  },
  (rng, _ev, ctx) => {
    ctx.device_id = `D0${rng.alnum(9)}`;
  },
  (rng, ev) => {
    ev.ingest_region = rng.pick(['us-east-1', 'eu-central-1', 'ap-southeast-1']);
  },
  (rng, _ev, ctx) => {
    ctx.client = { build: rng.int(100000, 999999), channel: 'prod' };
  },
];

/**
 * Mutate one event with the drift variants, each independently with its rate.
 *
 * @example
 * const ev = { id: 'x', date_create: 1, action: 'user_login', context: { session_id: 123, ip_address: '203.0.113.9' } };
 * applyDrift(ev, createRng(1), { ...DEFAULT_DRIFT, emptyIp: 1 });
 * ev.context.ip_address // ''
 */
export function applyDrift(ev: Json, rng: Rng, rates: DriftRates = DEFAULT_DRIFT): void {
  const ctx = ev.context as Json | undefined;
  if (!ctx || typeof ctx !== 'object') return;
  if (typeof ctx.session_id === 'number') {
    const r = rng.next();
    if (r < rates.sessionIdString) ctx.session_id = String(ctx.session_id);
    else if (r < rates.sessionIdString + rates.sessionIdNull) ctx.session_id = null;
  }
  if (typeof ctx.ip_address === 'string' && ctx.ip_address !== '' && rng.chance(rates.emptyIp)) ctx.ip_address = '';
  if (rng.chance(rates.unknownField)) rng.pick(UNKNOWN_FIELDS)(rng, ev, ctx);
  if (!('app' in ctx) && rng.chance(rates.nullApp)) ctx.app = null;
}
