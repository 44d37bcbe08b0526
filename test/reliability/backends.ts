/**
 * The store backends the reliability suite runs against. Each test file loops over `BACKENDS`; a backend that cannot
 * run here says why (`skipReason`), and the suite prints it instead of silently passing. The PostgreSQL backend is
 * added here once `src/store/postgres/` lands: a throwaway cluster in `create`, its URL as `dbArg`.
 */
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import type { Store } from '../../src/store/types.ts';

/** One store made for one test: the `--db` value the CLI gets, and a way to open it in the test process. */
export interface BackendStore {
  /** What `gridwatch --db` takes (a file path, or a connection URL). */
  dbArg: string;
  /** Open the store (the caller closes it). */
  open(): Promise<Store & { close(): Promise<void> }>;
  /** Drop what `create` made beyond the temporary directory (a database, a cluster). */
  cleanup(): Promise<void>;
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
    return { dbArg: file, open: () => openSqliteStore(file), cleanup: async () => {} };
  },
};

/**
 * Every backend the suite knows.
 *
 * @example
 * for (const b of BACKENDS) describe.skipIf(b.skipReason())(b.name, () => { ... });
 */
export const BACKENDS: readonly Backend[] = [sqlite];
