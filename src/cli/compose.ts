/**
 * The detection leg's wiring, in one place: the store, the engine, the alert store that goes with the store, and the
 * configured sinks (behind their durable outbox) as the engine's notifier. `detect/` takes all of these as
 * parameters; `collect`, `ingest`, `run` and the demo reach this through `pipeline.ts`, `detect` directly.
 */
import { alertJson } from '../alerts/format.ts';
import { MemoryAlertStore } from '../alerts/memory.ts';
import type { Alert, AlertStore } from '../alerts/types.ts';
import type { Config } from '../config/schema.ts';
import { DEFAULT_GAP, syncIncidents, trackAlertChanges } from '../incidents/service.ts';
import { createEngine, type AlertNotifier, type Engine, type EngineOptions } from '../detect/engine.ts';
import { incrementalWithEngine } from '../detect/incremental.ts';
import { replayWithEngine, type ReplayReport, type ReplayRunOptions } from '../detect/replay.ts';
import { runPlaybooks, responseNotification, type SlackAdmin } from '../respond/playbook.ts';
import { resolveAdminToken } from '../slack/token.ts';
import { createSinks, type CreateSinksOptions, type Sinks } from '../sinks/index.ts';
import type { DeliverableAlert } from '../sinks/types.ts';
import type { Store } from '../store/types.ts';

const bound = new WeakMap<object, AlertStore>();

/**
 * The alert store of an event store: the store's own (`store.alertStore()`, the same database), else (tests, other
 * backends until they keep alerts) an in-memory store tied to that Store object.
 *
 * @example const alerts = alertStoreFor(await openSqliteStore('gridwatch.db'))
 */
export function alertStoreFor(store: Store): AlertStore {
  if (store.alertStore) return store.alertStore();
  let a = bound.get(store);
  if (!a) {
    a = new MemoryAlertStore();
    bound.set(store, a);
  }
  return a;
}

/**
 * What the sinks receive: the alert without storage internals, stable for one version (so the outbox can tell a
 * re-delivery of the same version from a change).
 *
 * @example toDeliverable(alert).first_seen // '2024-06-03T10:00:00Z'
 */
export function toDeliverable(a: Alert): DeliverableAlert {
  // The printed form minus what changes without a new version (timestamps of storage, the analyst's note).
  const { status_note: _note, created_at: _created, updated_at: _updated, ...rest } = alertJson(a);
  return rest as DeliverableAlert;
}

/**
 * The config's sinks as a notifier (null when none are configured or the store keeps no outbox). The caller owns
 * the returned `sinks` and closes them.
 *
 * @example
 * const n = sinksNotifier(store, config, { log: (m) => console.error(m) });
 * await runIncremental(store, config, { notifier: n?.notifier ?? null });
 */
export function sinksNotifier(store: Store, config: Config, opts: CreateSinksOptions = {}): { notifier: AlertNotifier; sinks: Sinks } | null {
  if (!store.outboxStore || config.sinks.length === 0) return null;
  const sinks = createSinks(config.sinks, store.outboxStore(), opts);
  return { sinks, notifier: { deliver: (alerts) => sinks.deliver(alerts.map(toDeliverable)) } };
}

export interface DetectionOptions extends EngineOptions {
  /** Where alerts are stored (default: `alertStoreFor(store)`). */
  alerts?: AlertStore;
  // `notifier` (from EngineOptions): absent, the config's sinks (and playbooks); null, nowhere.
  /** Where playbooks in `auto` mode read `SLACK_ADMIN_TOKEN` and `SLACK_API_URL` (default `process.env`). */
  respondEnv?: NodeJS.ProcessEnv;
  /** The admin credentials for automatic actions (default: from `respondEnv`; null: none). */
  slackAdmin?: SlackAdmin | null;
}

/** The admin credentials in an environment, or null when `SLACK_ADMIN_TOKEN` is not set (automatic actions wait). */
export function slackAdminFromEnv(env: NodeJS.ProcessEnv = process.env): SlackAdmin | null {
  try {
    return { token: resolveAdminToken({ env }), baseUrl: env.SLACK_API_URL?.trim() || undefined };
  } catch {
    return null;
  }
}

/**
 * The config's playbooks in front of the sinks: new and changed alerts first get their proposals (and automatic
 * actions, whose notifications go to the sinks with the alerts), then go to the sinks. Without playbooks (or a
 * store that keeps no action log) this is the sinks' notifier unchanged.
 */
function withPlaybooks(store: Store, config: Config, own: ReturnType<typeof sinksNotifier>, opts: DetectionOptions): AlertNotifier | null {
  if (Object.keys(config.responses.rules).length === 0 || !store.actionLog || !store.responderReads) return own?.notifier ?? null;
  const log = store.actionLog();
  const reads = store.responderReads();
  const admin = opts.slackAdmin === undefined ? slackAdminFromEnv(opts.respondEnv) : opts.slackAdmin;
  return {
    async deliver(alerts) {
      const outcomes = await runPlaybooks(alerts, { config: config.responses, log, reads, admin });
      const notes = outcomes.flatMap((o) => (o.auto ? [responseNotification(o.alert, o.auto, admin?.token) as DeliverableAlert] : []));
      for (const o of outcomes) if (o.auto) opts.log?.(`playbook: ${o.auto.status === 'done' ? 'signed' : 'failed to sign'} ${o.proposal.userId} out of Slack (${o.proposal.scope}) for alert ${o.alert.id} (action ${o.auto.id})`);
      if (own) await own.sinks.deliver([...alerts.map(toDeliverable), ...notes]);
    },
  };
}

/**
 * Run `f` with an engine wired to the store's alert store and the config's sinks (unless `opts` says otherwise);
 * the sinks are closed afterwards. With the store's own alert store, the incidents of the users whose alerts changed
 * are regrouped once `f` is done (`incidents/service.ts`).
 *
 * @example const report = await withEngine(store, config, {}, (engine) => replayWithEngine(store, engine))
 */
export async function withEngine<T>(store: Store, config: Config, opts: DetectionOptions, f: (engine: Engine) => Promise<T>): Promise<T> {
  const own = opts.notifier === undefined ? sinksNotifier(store, config, { log: opts.log }) : null;
  try {
    const engineOpts = { ...opts, notifier: opts.notifier === undefined ? withPlaybooks(store, config, own, opts) : opts.notifier };
    if (opts.alerts) return await f(createEngine(config, opts.alerts, engineOpts));
    const { alerts, changes } = trackAlertChanges(alertStoreFor(store));
    const result = await f(createEngine(config, alerts, engineOpts));
    await syncIncidents(store, alerts, config.incidents?.gap ?? DEFAULT_GAP, changes, (opts.now ?? Date.now)());
    return result;
  } finally {
    await own?.sinks.close();
  }
}

export interface IncrementalOptions extends DetectionOptions {
  /** More new events than this are replayed over their time span rather than key by key (default 20,000). */
  bulkThreshold?: number;
}

/**
 * Process the events stored since the last run; returns the alerts created or changed (also sent to the sinks).
 *
 * @example
 * await store.appendEvents(batch);
 * const alerts = await runIncremental(store, config);
 */
export function runIncremental(store: Store, config: Config, opts: IncrementalOptions = {}): Promise<Alert[]> {
  return withEngine(store, config, opts, (engine) => incrementalWithEngine(store, engine, opts.bulkThreshold ?? 20_000));
}

/**
 * Replay stored events through the enabled rules, store the alerts and report those of the replayed days.
 * Deliveries go to the config's sinks unless `notifier` says otherwise.
 *
 * @example const { alerts, result } = await replayDetailed(store, config, { since: Math.floor(Date.now() / 1000) - 30 * 86400 })
 */
export function replayDetailed(store: Store, config: Config, opts: DetectionOptions & ReplayRunOptions = {}): Promise<ReplayReport> {
  return withEngine(store, config, opts, (engine) => replayWithEngine(store, engine, opts));
}
