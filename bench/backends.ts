/**
 * Which stores the benchmark measures (`--backend sqlite|postgres|both`, or `BENCH_BACKEND`), a fresh empty store
 * of each kind per measurement, and the bytes each keeps on disk.
 *
 * PostgreSQL: `GRIDWATCH_BENCH_PG=postgres://...` (a fresh database is created there per store and dropped at the
 * end), else a throwaway cluster started for the run (`src/util/pg-cluster.ts`; needs PostgreSQL's binaries).
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { pgTestSupport, startPgCluster, type PgCluster } from '../src/util/pg-cluster.ts';

export type Backend = 'sqlite' | 'postgres';

/**
 * The backends asked for on the command line or in BENCH_BACKEND (default sqlite).
 *
 * @example backendsOf(['--backend', 'both'], {}) // ['sqlite', 'postgres']
 */
export function backendsOf(argv: readonly string[], env: NodeJS.ProcessEnv): Backend[] {
  const i = argv.indexOf('--backend');
  const eq = argv.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);
  const v = (i >= 0 ? argv[i + 1] : eq) ?? env.BENCH_BACKEND ?? 'sqlite';
  if (v === 'both') return ['sqlite', 'postgres'];
  if (v === 'sqlite' || v === 'postgres') return [v];
  throw new Error(`--backend: expected sqlite, postgres or both, got ${v}`);
}

/** Where fresh stores of one backend come from. */
export interface StoreSource {
  backend: Backend;
  /** A new empty store's location (a file path or a postgres:// URL), replacing one of the same name. */
  fresh(name: string): Promise<string>;
  /** Bytes the store at `location` keeps on disk (SQLite: file, WAL; PostgreSQL: the database's size). */
  bytesOnDisk(location: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * @example const src = await storeSource('postgres', 'bench/.data'); const url = await src.fresh('ingest');
 */
export async function storeSource(backend: Backend, dir: string): Promise<StoreSource> {
  if (backend === 'sqlite') {
    return {
      backend,
      async fresh(name) {
        const path = join(dir, `${name}.db`);
        for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
        return path;
      },
      async bytesOnDisk(path) {
        return ['', '-wal'].reduce((n, s) => n + (statSync(path + s, { throwIfNoEntry: false })?.size ?? 0), 0);
      },
      async close() {},
    };
  }
  const given = process.env.GRIDWATCH_BENCH_PG;
  const support = given ? { ok: true, reason: 'GRIDWATCH_BENCH_PG', url: given } : pgTestSupport();
  if (!support.ok) throw new Error(`PostgreSQL: ${support.reason} (or set GRIDWATCH_BENCH_PG=postgres://...)`);
  const cluster: PgCluster = await startPgCluster(support);
  return {
    backend,
    fresh: (name) => cluster.createDatabase(`gw_bench_${name.replace(/[^a-z0-9]/gi, '_')}`),
    async bytesOnDisk(url) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return Number((await c.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
      } finally {
        await c.end();
      }
    },
    close: () => cluster.stop(),
  };
}
