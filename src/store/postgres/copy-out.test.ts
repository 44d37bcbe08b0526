/**
 * `copyOut` (copy-out.mjs), the replay scan's COPY reader. Without a server: protocol bytes made here, cut at every
 * position by socket chunks, must give each CopyData payload exactly once and hand every byte after CopyDone (or from an
 * ErrorResponse on) back to the client. Against a throwaway cluster (skipped with the reason printed without
 * PostgreSQL binaries): rows decoded through `copyPageDecoder` equal what the server holds; an error in the middle, a
 * notice per thousand rows, a pause, and a client ended in the middle of a COPY.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../../test/pg-cluster.ts';
import { copyOut } from './copy-out.mjs';
import { wireText, type WireText } from '../sqlite/parallel-scan.ts';
import { copyPageDecoder, type CopyPage } from './copy-pages.mjs';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: COPY reading on PostgreSQL (${pgs.reason})`);

/** One protocol message: its code, length (itself included) and body. */
function msg(code: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(code, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** A client and connection just real enough for `copyOut`: a socket with one data listener (the client's). */
function fakeClient() {
  const socket = Object.assign(new EventEmitter(), { paused: 0, pause: () => socket.paused++, resume: () => {} });
  const toClient: Buffer[] = [];
  let query: { submit(c: unknown): void; handleReadyForQuery(): void; handleError(e: Error): void } | undefined;
  // As node-postgres does: an ErrorResponse is reported to the query at once, from inside the data listener.
  socket.on('data', (b: Buffer) => {
    toClient.push(Buffer.from(b));
    if (toClient.length === 1 && b[0] === 0x45) query!.handleError(new Error('division by zero'));
  });
  const sent: string[] = [];
  const client = {
    query(q: typeof query) {
      query = q;
      q!.submit({ stream: socket, query: (sql: string) => sent.push(sql) });
    },
  };
  return { client, socket, toClient, sent, finish: () => query!.handleReadyForQuery() };
}

describe('copyOut without a server', () => {
  const payloads = [Buffer.from('PGCOPY header+first row'), Buffer.from(''), Buffer.from('x'.repeat(300)), Buffer.from('é𝄞 row'), Buffer.from([0xff, 0xff])];
  const notice = msg('N', Buffer.from('SNOTICE\0\0'));
  const after = Buffer.concat([msg('C', Buffer.from('COPY 4\0')), msg('Z', Buffer.from('I'))]);

  it.each([1, 2, 3, 4, 5, 6, 7, 11, 64, 10_000])('gives every payload once and the rest to the client, with chunks of %i bytes', async (size) => {
    const bytes = Buffer.concat([msg('H', Buffer.from([1, 0, 0])), ...payloads.slice(0, 2).map((p) => msg('d', p)), notice, ...payloads.slice(2).map((p) => msg('d', p)), msg('c', Buffer.alloc(0)), after]);
    const f = fakeClient();
    const got: Buffer[] = [];
    const copy = copyOut(f.client, 'COPY x TO STDOUT', (buf: Buffer, s: number, e: number) => got.push(Buffer.from(buf.subarray(s, e))));
    expect(f.sent).toEqual(['COPY x TO STDOUT']);
    for (let at = 0; at < bytes.length; at += size) f.socket.emit('data', bytes.subarray(at, at + size));
    expect(got).toEqual(payloads);
    expect(Buffer.concat(f.toClient)).toEqual(after);
    expect(f.socket.listenerCount('data')).toBe(1);
    f.finish();
    await expect(copy.done).resolves.toBeUndefined();
  });

  it('hands an ErrorResponse and what follows to the client, and fails with the error the client reports', async () => {
    const error = msg('E', Buffer.from('SERROR\0Mdivision by zero\0\0'));
    const bytes = Buffer.concat([msg('H', Buffer.from([1, 0, 0])), msg('d', payloads[0]!), error, msg('Z', Buffer.from('I'))]);
    for (const size of [1, 3, 7, 1000]) {
      const f = fakeClient();
      const got: Buffer[] = [];
      const copy = copyOut(f.client, 'COPY x TO STDOUT', (buf: Buffer, s: number, e: number) => got.push(Buffer.from(buf.subarray(s, e))));
      for (let at = 0; at < bytes.length; at += size) f.socket.emit('data', bytes.subarray(at, at + size));
      expect(got).toEqual([payloads[0]]);
      expect(Buffer.concat(f.toClient)).toEqual(Buffer.concat([error, msg('Z', Buffer.from('I'))]));
      expect(f.socket.listenerCount('data')).toBe(1);
      f.finish();
      await expect(copy.done).rejects.toThrow('division by zero');
    }
  });
});

describe.skipIf(!pgs.ok)('copyOut on PostgreSQL', () => {
  let cluster: PgCluster;
  let url: string;
  let client: pg.Client;
  beforeAll(async () => {
    cluster = await startPgCluster(pgs);
    url = await cluster.createDatabase('gw_copyout');
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE FUNCTION noisy(n int) RETURNS int LANGUAGE plpgsql AS $$
      BEGIN IF n % 1000 = 0 THEN RAISE NOTICE 'row %', n; END IF; RETURN n; END $$`);
  });
  afterAll(async () => {
    await client?.end();
    await cluster?.stop();
  });

  const ROWS = 30_000;
  /** What row g holds: g, a text of 0-899 characters (non-ASCII at its end), NULL every 7th row. */
  const rowSql = (n: string) => `SELECT ${n}::int8, CASE WHEN ${n} % 7 = 0 THEN NULL ELSE repeat(chr(97 + ${n} % 26), ${n} % 900) || 'é' END`;
  const expectedRows = () =>
    Array.from({ length: ROWS }, (_, k) => {
      const g = k + 1;
      return [g, g % 7 === 0 ? null : String.fromCharCode(97 + (g % 26)).repeat(g % 900) + 'é'];
    });

  /** Decode a COPY of (int8, text) rows into [number, string | null] rows. */
  async function copyRows(c: pg.Client, sql: string, onChunk?: (copy: ReturnType<typeof copyOut>) => void) {
    const d = copyPageDecoder({ columns: [{ kind: 'num', fields: 1 }, { kind: 'text', fields: 1 }], batchSize: 4096, maxDictSize: 100 });
    const pages: CopyPage[] = [];
    const copy = copyOut(c, `COPY (${sql}) TO STDOUT (FORMAT binary)`, (buf: Buffer, s: number, e: number) => {
      pages.push(...d.push(buf, s, e));
      onChunk?.(copy);
    });
    await copy.done;
    pages.push(d.end());
    return pages.flatMap(({ message }) => {
      const [num, text] = message.cols as [{ values: ArrayLike<number> }, WireText];
      return Array.from({ length: message.n }, (_, i) => [num.values[i], wireText(text, i)]);
    });
  }

  it('reads every row as the server holds it, and leaves the client ready for the next statement', async () => {
    expect(await copyRows(client, `${rowSql('g')} FROM generate_series(1, ${ROWS}) g`)).toEqual(expectedRows());
    expect((await client.query('SELECT 41 + 1 AS x')).rows).toEqual([{ x: 42 }]);
  });

  it('skips notices sent in the middle of the rows', async () => {
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    expect(await copyRows(client, `${rowSql('noisy(g)')} FROM generate_series(1, ${ROWS}) g`)).toEqual(expectedRows());
    client.removeAllListeners('notice');
    // The notices are the client's to see only before and after the COPY: in the middle they are passed over.
    expect(notices.every((n) => /^row \d+$/.test(n))).toBe(true);
  });

  it('fails with the server error raised in the middle, and the client goes on', async () => {
    await expect(copyRows(client, `SELECT g::int8, (1 / (20000 - g))::text FROM generate_series(1, ${ROWS}) g`)).rejects.toThrow('division by zero');
    expect((await client.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });

  it('reads nothing while paused, and everything once resumed', async () => {
    let calls = 0;
    let pausedAt = -1;
    let callsWhilePaused = -1;
    const rows = await copyRows(client, `${rowSql('g')} FROM generate_series(1, ${ROWS}) g`, (copy) => {
      calls++;
      if (pausedAt < 0 && calls === 100) {
        copy.pause();
        pausedAt = calls;
        // After the chunk in hand, nothing until resumed.
        setImmediate(() => {
          const settled = calls;
          setTimeout(() => {
            callsWhilePaused = calls - settled;
            copy.resume();
          }, 150);
        });
      }
    });
    expect(callsWhilePaused).toBe(0);
    expect(rows).toEqual(expectedRows());
  });

  it('ends promptly when the client is ended in the middle of a COPY', async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    let copy: ReturnType<typeof copyOut> | undefined;
    const started = new Promise<void>((r) => {
      copy = copyOut(c, `COPY (${rowSql('g')} FROM generate_series(1, 2000000) g) TO STDOUT (FORMAT binary)`, () => {
        copy!.pause();
        r();
      });
    });
    const failed = copy!.done.then(() => 'finished', () => 'failed');
    await started;
    const t = Date.now();
    await c.end();
    expect(await failed).toBe('failed');
    expect(Date.now() - t).toBeLessThan(5000);
  });
});
