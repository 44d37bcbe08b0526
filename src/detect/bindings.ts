/**
 * Default wiring of the engine to its surroundings: the alert store that goes with an event store, and the sinks
 * of the config as the engine's notifier.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { MemoryAlertStore } from '../alerts/memory.ts';
import { SqliteAlertStore } from '../alerts/sqlite.ts';
import { alertJson } from '../alerts/format.ts';
import type { Alert, AlertStore } from '../alerts/types.ts';
import type { Config } from '../config/schema.ts';
import { createSinks, type CreateSinksOptions, type Sinks } from '../sinks/index.ts';
import type { DeliverableAlert } from '../sinks/types.ts';
import type { Store } from '../store/types.ts';
import type { AlertNotifier } from './engine.ts';

const bound = new WeakMap<object, AlertStore>();

function sqliteDb(store: Store): BetterSqlite3.Database | null {
  const db = (store as { db?: unknown }).db;
  return db !== null && typeof db === 'object' && typeof (db as { prepare?: unknown }).prepare === 'function' ? (db as BetterSqlite3.Database) : null;
}

/**
 * The alert store of an event store: the same SQLite database for `SqliteStore`, else (tests, other backends until
 * they have one) an in-memory store tied to that Store object.
 *
 * @example const alerts = alertStoreFor(await openSqliteStore('gridwatch.db'))
 */
export function alertStoreFor(store: Store): AlertStore {
  let a = bound.get(store);
  if (!a) {
    const db = sqliteDb(store);
    a = db ? new SqliteAlertStore(db) : new MemoryAlertStore();
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
 * The config's sinks as a notifier (null when none are configured or the store has no SQLite database for the
 * outbox). The caller owns the returned `sinks` and closes them.
 *
 * @example
 * const n = sinksNotifier(store, config, { log: (m) => console.error(m) });
 * await runIncremental(store, config, { notifier: n?.notifier });
 */
export function sinksNotifier(store: Store, config: Config, opts: CreateSinksOptions = {}): { notifier: AlertNotifier; sinks: Sinks } | null {
  const db = sqliteDb(store);
  if (!db || config.sinks.length === 0) return null;
  const sinks = createSinks(config.sinks, db, opts);
  return { sinks, notifier: { deliver: (alerts) => sinks.deliver(alerts.map(toDeliverable)) } };
}
