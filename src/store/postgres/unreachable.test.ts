/**
 * The PostgreSQL server going away under a running command: no crash from node-postgres' 'error' event on a
 * checked-out client (connect.ts), and one clear line naming the database without its password (unreachable.ts and
 * the CLI's error line), while other errors, and a network failure of another server, are not taken for it.
 */
import { createServer } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli-helpers.ts';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../../test/pg-cluster.ts';
import { openPool } from './connect.ts';
import { workerPages } from '../sqlite/parallel-scan.ts';
import { SyncQuery } from './sync-query.ts';
import { markConnectFailure, markConnectionLost, pgUnreachable } from './unreachable.ts';

const URL_5433 = 'postgres://gw:pw@db.internal:5433/gridwatch';
const socketError = (code: string, port: number) => Object.assign(new Error(`connect ${code} 10.0.0.5:${port}`), { code, syscall: 'connect', address: '10.0.0.5', port });

describe('pgUnreachable', () => {
  it('recognises a refused or lost connection to the database server', () => {
    expect(pgUnreachable(socketError('ECONNREFUSED', 5433), URL_5433)).toBe('connect ECONNREFUSED 10.0.0.5:5433');
    expect(pgUnreachable(new Error('Connection terminated unexpectedly'), URL_5433)).toBe('Connection terminated unexpectedly');
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { severity: 'FATAL', code: '57P01' });
    expect(pgUnreachable(new Error('cannot open', { cause: shutdown }), URL_5433)).toBe('terminating connection due to administrator command');
    // Connecting to a name with two addresses: an AggregateError with an empty message.
    const both = Object.assign(new AggregateError([socketError('ECONNREFUSED', 5433), socketError('ECONNREFUSED', 5433)], ''), { code: 'ECONNREFUSED' });
    expect(pgUnreachable(both, URL_5433)).toBe('connect ECONNREFUSED 10.0.0.5:5433');
    expect(pgUnreachable(Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND', hostname: 'db.internal' }), URL_5433)).toMatch(/ENOTFOUND/);
    // A reset on an open connection names no address: the pool's clients mark what they emit as they die.
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
    expect(pgUnreachable(reset, URL_5433)).toBeNull();
    markConnectionLost(reset);
    expect(pgUnreachable(reset, URL_5433)).toBe('read ECONNRESET');
  });

  it('does not take other errors for it', () => {
    // Slack or a webhook refusing: another port, or no address at all.
    expect(pgUnreachable(socketError('ECONNREFUSED', 443), URL_5433)).toBeNull();
    expect(pgUnreachable(Object.assign(new Error('Slack Audit Logs API /logs: refused (5 attempts)'), { code: 'ECONNREFUSED' }), URL_5433)).toBeNull();
    expect(pgUnreachable(Object.assign(new Error('syntax error at or near "SELEC"'), { severity: 'ERROR', code: '42601' }), URL_5433)).toBeNull();
    expect(pgUnreachable(Object.assign(new Error('disk full'), { severity: 'PANIC', code: '53100' }), URL_5433)).toBeNull();
    expect(pgUnreachable('Connection terminated', URL_5433)).toBeNull();
  });
});

describe('the CLI with the database unreachable', () => {
  it('says so in one line that names the database without its password', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = await runCli(['--db', `postgres://gw:hunter2-secret@127.0.0.1:${port}/gridwatch`, 'events']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`gridwatch: the PostgreSQL database postgres://gw:***@127.0.0.1:${port}/gridwatch is unreachable (connect ECONNREFUSED 127.0.0.1:${port}); run the command again once it is back\n`);
  });
});

describe('connecting to a server that resets the connection', () => {
  // What a new connection meets during `pg_ctl stop -m immediate`: the socket opens, then a reset, which node reports
  // as a bare `read ECONNRESET` with no address (the reliability suite's store-fault test saw exactly that).
  it('is reported as unreachable; a TLS failure while connecting is not', async () => {
    const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const url = `postgres://gw@127.0.0.1:${port}/gridwatch`;
      const pool = openPool(url);
      const e = await pool.query('SELECT 1').then(() => null, (x: unknown) => x);
      await pool.end();
      expect((e as { code?: string })?.code).toBe('ECONNRESET');
      expect(pgUnreachable(e, url)).toBe((e as Error).message);
      const r = await runCli(['--db', url, 'events']);
      expect(r.stderr).toMatch(/^gridwatch: the PostgreSQL database .* is unreachable \(.*ECONNRESET.*\); run the command again/);
      // The replay scan's worker thread connects on its own: its error crosses to this thread with the same verdict.
      const worker = new Worker(new URL('./scan-worker.mjs', import.meta.url), {
        execArgv: [],
        workerData: { url, sql: 'SELECT 1', columns: [{ kind: 'num', fields: 1 }], batchSize: 10, maxDictSize: 10 },
      });
      const scanned = await (async () => {
        for await (const _ of workerPages(worker, 1, 2, (_c, v) => v)) return null;
        return null;
      })().then(() => null, (x: unknown) => x);
      expect(String(scanned)).toMatch(/scan worker: .*ECONNRESET/);
      expect(pgUnreachable(scanned, url)).toMatch(/ECONNRESET/);
    } finally {
      server.close();
    }
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    markConnectFailure(tls);
    expect(pgUnreachable(tls, URL_5433)).toBeNull();
    const refused = Object.assign(new Error('password authentication failed for user "gw"'), { severity: 'FATAL', code: '28P01' });
    markConnectFailure(refused);
    expect(pgUnreachable(refused, URL_5433)).toBeNull();
  });
});

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: PostgreSQL server stopped under a pool (${pgs.reason})`);

describe.skipIf(!pgs.ok)('a pool whose server stops and starts again', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster(pgs);
  });
  afterAll(async () => cluster?.stop());

  it('does not crash when a checked-out client loses its connection; its next query fails as unreachable; then it reconnects', async (ctx) => {
    if (!cluster.outage) return ctx.skip(); // GRIDWATCH_TEST_PG: not ours to stop
    const url = await cluster.createDatabase('gw_unreachable');
    const pool = openPool(url);
    try {
      const client = await pool.connect();
      await client.query('SELECT 1');
      const ended = new Promise((resolve) => client.once('end', resolve));
      // Between two queries, as a transaction doing work in JavaScript is: the server's goodbye arrives as an 'error'.
      await cluster.outage.stop('fast');
      await ended;
      const e = await client.query('SELECT 1').then(() => null, (x: unknown) => x);
      expect(pgUnreachable(e, url)).not.toBeNull();
      client.release(e as Error);
      const refused = await pool.query('SELECT 1').then(() => null, (x: unknown) => x);
      expect(pgUnreachable(refused, url)).toMatch(/ECONNREFUSED/);
      await cluster.outage.start();
      expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('a blocking lookup fails as unreachable, without crashing its worker thread, and works again after the restart', async (ctx) => {
    if (!cluster.outage) return ctx.skip();
    const url = await cluster.createDatabase('gw_unreachable_sync');
    const q = new SyncQuery(url);
    try {
      expect(q.rows('SELECT 1', [])).toEqual([[1]]);
      await cluster.outage.stop('fast');
      await new Promise((r) => setTimeout(r, 300)); // the worker's connection sees the server's goodbye
      let e: unknown;
      try {
        q.rows('SELECT 1', []);
      } catch (x) {
        e = x;
      }
      expect(pgUnreachable(e, url), String(e)).not.toBeNull();
      await cluster.outage.start();
      expect(q.rows('SELECT 2', [])).toEqual([[2]]);
    } finally {
      await q.close();
    }
  });
});
