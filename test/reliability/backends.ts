/**
 * The store backends the reliability suite runs against. Each test file loops over `BACKENDS`; a backend that cannot
 * run here says why (`skipReason`), and the suite prints it instead of silently passing. PostgreSQL runs on a
 * throwaway cluster (test/pg-cluster.ts), started by the first store a test file makes and stopped after the file;
 * each store is a fresh database of it.
 */
import { join } from 'node:path';
import { afterAll, it } from 'vitest';
import { openStore, type OpenedStore } from '../../src/store/index.ts';
import { pgTestSupport, startPgCluster, type PgCluster } from '../pg-cluster.ts';
import { skipped } from './figures.ts';

/** One store made for one test: the `--db` value the CLI gets, and a way to open it in the test process. */
export interface BackendStore {
  /** What `gridwatch --db` takes (a file path, or a connection URL). */
  dbArg: string;
  /** Open the store (the caller closes it). */
  open(): Promise<OpenedStore>;
  /** Drop what `create` made beyond the temporary directory (a database, a cluster). */
  cleanup(): Promise<void>;
  /** Stop the database server and start it again (PostgreSQL on a throwaway cluster); absent where it cannot be. */
  outage?: NonNullable<PgCluster['outage']>;
}

export interface Backend {
  name: string;
  /** Null when the backend can run here, else the reason it is skipped. */
  skipReason(): string | null;
  /** A fresh, empty store named `name`, with any files under `dir`. */
  create(dir: string, name: string): Promise<BackendStore>;
}

const sqlite: Backend = {
  name: 'sqlite',
  skipReason: () => null,
  async create(dir, name) {
    const file = join(dir, `${name}.db`);
    return { dbArg: file, open: () => openStore(file), cleanup: async () => {} };
  },
};

const pgs = pgTestSupport();
let cluster: Promise<PgCluster> | undefined;
// Registered while the importing test file is collected: the cluster (if one was started) stops after the file.
afterAll(async () => {
  await (await cluster?.catch(() => undefined))?.stop();
});

const postgres: Backend = {
  name: 'postgres',
  skipReason: () => (pgs.ok ? null : pgs.reason),
  async create(_dir, name) {
    const c = await (cluster ??= startPgCluster(pgs));
    const url = await c.createDatabase(`gw_rel_${name}`);
    return { dbArg: url, open: () => openStore(url), cleanup: async () => {}, outage: c.outage };
  },
};

/**
 * Every backend the suite knows.
 *
 * @example
 * for (const b of BACKENDS) describe.skipIf(b.skipReason())(b.name, () => { ... });
 */
export const BACKENDS: readonly Backend[] = [sqlite, postgres];

/**
 * For a backend that cannot run here (`skipReason()` not null): print why `area` is not measured on it, list it in the
 * summary table, and show a skipped test named with the reason. Call while the file's tests are collected.
 *
 * @example const reason = b.skipReason(); if (reason !== null) skipOn('load', b, reason);
 */
export function skipOn(area: string, backend: Backend, reason: string): void {
  skipped(area, backend.name, 'all', reason);
  it.skip(`${area} (${backend.name}): ${reason}`, () => {});
}
