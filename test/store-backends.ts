/**
 * The backends a store contract suite runs on: SQLite (a real file in a temp directory) and PostgreSQL (a throwaway
 * cluster per test file from `pg-cluster.ts`, or `GRIDWATCH_TEST_PG`; skipped with the reason printed when neither
 * exists). Each `open()` gives a fresh empty store (a new file, a new database); the stores opened are closed after
 * the suite, before the cluster stops, unless the test closed them itself.
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type OpenedStore } from '../src/store/index.ts';
import type { PostgresStore } from '../src/store/postgres/index.ts';
import type { SqliteStore } from '../src/store/sqlite/index.ts';
import { tempDirs } from '../src/util/testing-tmp.ts';
import { pgTestSupport, startPgCluster, type PgCluster } from './pg-cluster.ts';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  /** PostgreSQL cannot run here (see `pgTestSupport`). */
  skip: boolean;
  /** Register the backend's hooks (cluster start and stop, closing stores): call once inside the `describe`. */
  setup(): void;
  /** A fresh, empty, migrated store. */
  open(): Promise<OpenedStore>;
  /**
   * Run SQL on the store's database behind its back (a test playing someone with write access, or reading what is
   * stored); the rows of a query, else none. `?` placeholders on both backends.
   */
  exec(store: OpenedStore, sql: string, params?: unknown[]): Promise<unknown[]>;
  /** Close a store and open its database again ("a restart": a new connection to the same data). */
  reopen(store: OpenedStore): Promise<OpenedStore>;
  /** Drop one of a table's triggers (the statement differs: PostgreSQL names the table). */
  dropTrigger(store: OpenedStore, table: string, trigger: string): Promise<void>;
}

/**
 * The two backends, for `for (const b of storeBackends('alerts')) describe.skipIf(b.skip)(…, () => { b.setup(); … })`.
 *
 * @example
 * for (const backend of storeBackends('the action log')) describe.skipIf(backend.skip)(`action log: ${backend.name}`, () => {
 *   backend.setup();
 *   it('appends', async () => { const store = await backend.open(); ... });
 * });
 */
export function storeBackends(what: string): TestBackend[] {
  const pgs = pgTestSupport();
  if (!pgs.ok) console.warn(`skipped: ${what} on PostgreSQL (${pgs.reason})`);
  const tmp = tempDirs();
  const opened: OpenedStore[] = [];
  const closing = () =>
    afterAll(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
  const where = new WeakMap<OpenedStore, string>();
  const openAt = async (location: string): Promise<OpenedStore> => {
    const s = track(await openStore(location));
    where.set(s, location);
    return s;
  };
  const reopen = async (s: OpenedStore): Promise<OpenedStore> => {
    await s.close();
    return openAt(where.get(s)!);
  };
  const track = (s: OpenedStore): OpenedStore => {
    // Closed once, by the test or after the suite, whichever comes first.
    const close = s.close.bind(s);
    let closed: Promise<void> | undefined;
    s.close = () => (closed ??= close());
    opened.push(s);
    return s;
  };
  let cluster: PgCluster | undefined;
  let n = 0;
  return [
    {
      name: 'sqlite',
      skip: false,
      setup: closing,
      open: () => openAt(join(tmp.make('gw-contract-'), `s${++n}.db`)),
      reopen,
      async exec(store, sql, params = []) {
        const stmt = (store as unknown as SqliteStore).db.prepare(sql);
        return stmt.reader ? stmt.all(...params) : (stmt.run(...params), []);
      },
      async dropTrigger(store, _table, trigger) {
        (store as unknown as SqliteStore).db.exec(`DROP TRIGGER ${trigger}`);
      },
    },
    {
      name: 'postgres',
      skip: !pgs.ok,
      setup() {
        beforeAll(async () => {
          cluster = await startPgCluster(pgs);
        });
        afterAll(async () => cluster?.stop());
        // Registered after the stop, so it runs before it (vitest runs afterAll hooks in reverse).
        closing();
      },
      open: async () => openAt(await cluster!.createDatabase('gw_contract')),
      reopen,
      async exec(store, sql, params = []) {
        let i = 0;
        return (await (store as unknown as PostgresStore).pool.query(sql.replace(/\?/g, () => `$${++i}`), params)).rows;
      },
      async dropTrigger(store, table, trigger) {
        await (store as unknown as PostgresStore).pool.query(`DROP TRIGGER ${trigger} ON ${table}`);
      },
    },
  ];
}
