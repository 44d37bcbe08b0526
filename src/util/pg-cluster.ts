/**
 * A throwaway PostgreSQL for the tests and the benchmark (`npm run bench -- --backend postgres`). It initialises a cluster
 * in a temporary directory (`initdb -A trust --no-sync`), starts it on 127.0.0.1 on a free port with its socket in
 * that directory and `fsync=off`, creates one database per test file, and stops and removes the whole cluster
 * afterwards. It never touches a system cluster. As root it runs the server through `runuser -u postgres` (PostgreSQL
 * refuses to run as root) after giving that user the directory.
 *
 * `GRIDWATCH_TEST_PG=postgres://...` uses an existing server instead (a fresh database is still created and dropped
 * per file). Without either, `pgTestSupport().ok` is false and the caller skips its PostgreSQL tests, saying why.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** Whether PostgreSQL tests can run here, and if not, why. */
export interface PgTestSupport {
  ok: boolean;
  /** Where the server comes from (`GRIDWATCH_TEST_PG` or the binaries' directory), or why the tests are skipped. */
  reason: string;
  /** Directory of initdb/pg_ctl when a throwaway cluster is used. */
  bin?: string;
  /** The server given by `GRIDWATCH_TEST_PG`. */
  url?: string;
}

function findBinDir(): string | null {
  const explicit = process.env.GRIDWATCH_PG_BIN;
  if (explicit) return existsSync(join(explicit, 'initdb')) ? explicit : null;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions.length) return join(base, versions[0]!, 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(join(dir, 'initdb')) ? dir : null;
}

/**
 * Can the PostgreSQL tests run? Decided once, without starting anything.
 *
 * @example const pgs = pgTestSupport(); describe.skipIf(!pgs.ok)('on PostgreSQL', () => { ... });
 */
export function pgTestSupport(): PgTestSupport {
  const url = process.env.GRIDWATCH_TEST_PG;
  if (url) return { ok: true, reason: 'GRIDWATCH_TEST_PG', url };
  const bin = findBinDir();
  if (!bin) return { ok: false, reason: 'no PostgreSQL binaries (initdb) found under /usr/lib/postgresql, $GRIDWATCH_PG_BIN or pg_config, and GRIDWATCH_TEST_PG is not set' };
  if (userInfo().uid === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return { ok: false, reason: 'running as root and there is no postgres user to run the server as' };
  return { ok: true, reason: bin, bin };
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A started throwaway cluster. */
export interface PgCluster {
  /** URL of its `postgres` maintenance database. */
  adminUrl: string;
  /** Create a fresh empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Drop the databases created, stop the server (when it is ours) and remove its directory. */
  stop(): Promise<void>;
  /**
   * An outage, for the reliability tests: stop the server (`pg_ctl stop -m <mode>`), keeping its data, and start it
   * again on the same port. Absent with `GRIDWATCH_TEST_PG` (that server is not ours to stop).
   */
  outage?: {
    stop(mode: 'fast' | 'immediate'): Promise<void>;
    start(): Promise<void>;
  };
}

let counter = 0;

/**
 * Start a throwaway cluster (or connect to `GRIDWATCH_TEST_PG`). Call only when `pgTestSupport().ok`.
 *
 * @example
 * const cluster = await startPgCluster(); const url = await cluster.createDatabase('gw_store');
 * // ... openPostgresStore(url) ...
 * await cluster.stop();
 */
export async function startPgCluster(support = pgTestSupport()): Promise<PgCluster> {
  if (!support.ok) throw new Error(`PostgreSQL tests cannot run: ${support.reason}`);
  let adminUrl: string;
  let stopServer = async () => {};
  let outage: PgCluster['outage'];
  if (support.url) {
    adminUrl = support.url;
  } else {
    const bin = support.bin!;
    const dir = mkdtempSync(join(tmpdir(), 'gw-pg-'));
    const asRoot = userInfo().uid === 0;
    // initdb and the server refuse to run as root: they run as postgres, which must own the directory.
    const argv = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args]);
    const run = (cmd: string, args: string[]) => execFileSync(...argv(cmd, args), { stdio: 'pipe' });
    // Asynchronous, so a test process serving a simulator keeps answering while the server stops or starts.
    const runAsync = (cmd: string, args: string[]) => promisify(execFile)(...argv(cmd, args));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
    const data = join(dir, 'data');
    const port = await freePort();
    const startArgs = ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, 'start'];
    try {
      run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
      run('pg_ctl', startArgs);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`could not start a throwaway PostgreSQL in ${dir}: ${err.stderr?.toString().trim() || err.message}`);
    }
    adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    outage = {
      stop: async (mode) => void (await runAsync('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'])),
      start: async () => void (await runAsync('pg_ctl', startArgs)),
    };
    stopServer = async () => {
      try {
        // Not running when a test stopped it (an outage) and failed before starting it again.
        if (existsSync(join(data, 'postmaster.pid'))) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  }
  const created: string[] = [];
  const admin = async <T>(f: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  };
  return {
    adminUrl,
    outage,
    async createDatabase(prefix = 'gw_test') {
      const name = `${prefix}_${process.pid}_${++counter}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async stop() {
      try {
        if (support.url) await admin(async (c) => {
          for (const name of created) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        });
      } finally {
        await stopServer();
      }
    },
  };
}
