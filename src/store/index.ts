/**
 * Opening a store: one factory for every backend. A `postgres://` (or `postgresql://`) URL opens the PostgreSQL
 * store; anything else is a SQLite file path.
 */
import { isPostgresUrl } from './postgres/connect.ts';
import { openPostgresStore } from './postgres/index.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { Store } from './types.ts';

/** The capabilities the commands use. A backend that lacks one still has the method, which throws naming it. */
type Capabilities = 'outboxStore' | 'actionLog' | 'alertStore' | 'accountStore' | 'incidentStore' | 'responderReads' | 'uiReads' | 'uiRollups' | 'eventSearch' | 'entityReads';

/** A store as `openStore` returns it: every capability present (see `Capabilities`). */
export type OpenedStore = Store & Required<Pick<Store, Capabilities>>;

export { isPostgresUrl };

/**
 * Open (creating and migrating if needed) the store at `location`.
 *
 * @example
 * const store = await openStore(process.env.GRIDWATCH_DB ?? './gridwatch.db'); // or 'postgres://gw@db/gridwatch'
 */
export async function openStore(location: string): Promise<OpenedStore> {
  return isPostgresUrl(location) ? await openPostgresStore(location) : await openSqliteStore(location);
}
