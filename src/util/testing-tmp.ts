/**
 * Test helper: temporary directories that are always removed, so test runs leave nothing in the system's temp
 * directory (even when a test fails half-way, which a hand-written `rmSync` at the end of a test would skip).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export interface TempDirs {
  /** Create a fresh directory named `<prefix>XXXXXX` under the system's temp directory; returns its path. */
  make(prefix: string): string;
  /** Remove every directory made so far (runs by itself after the enclosing suite). */
  removeAll(): void;
}

/**
 * Directories removed after the enclosing suite: call it while tests are being collected (at the top of a test file
 * or inside a `describe`), then `make` directories anywhere, in hooks or tests. Registered first, its `afterAll`
 * runs after the suite's other `afterAll` hooks (vitest runs them in reverse), so stores are closed before their
 * files go.
 *
 * @example
 * const tmp = tempDirs();
 * beforeEach(async () => { store = await openSqliteStore(join(tmp.make('gw-ingest-'), 'test.db')); });
 */
export function tempDirs(): TempDirs {
  const made: string[] = [];
  const dirs: TempDirs = {
    make(prefix) {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll() {
      while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
    },
  };
  afterAll(() => dirs.removeAll());
  return dirs;
}
