/**
 * What the PostgreSQL store does beyond the shared contract (../contract.test.ts): exact received text, one id per
 * event across monthly partitions, partitions made ahead and on demand, versioned migrations, `openStore` choosing
 * the backend by URL, and a clear error for what is not built yet.
 */
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../../test/pg-cluster.ts';
import { normalise } from '../../events/normalise.ts';
import { ingestStream } from '../../ingest/index.ts';
import { openStore } from '../index.ts';
import type { IncomingEvent } from '../types.ts';
import { openPostgresStore, PostgresStore } from './index.ts';
import { pgMigrations } from './migrations.ts';
import { monthOf, monthPartition } from './partitions.ts';
import { ADDRESS_RECENT_SQL } from './entity-reads.ts';
import { SEARCH_TEXT } from './read-models-schema.ts';
import { catchUpReadModels, resetReadModels } from './read-models.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: PostgreSQL store tests (${pgs.reason})`);

const raw = (text: string): IncomingEvent => ({ raw: text, norm: normalise(JSON.parse(text)) });
/** JSON Lines as a stream of one line per chunk: ingest cuts a batch at the end of a chunk, so each makes its own. */
const lines = (text: string) => Readable.from(text.split('\n').map((l) => Buffer.from(`${l}\n`)));
const JUNE_2024 = Date.UTC(2024, 5, 15) / 1000;
const JAN_2024 = Date.UTC(2024, 0, 15) / 1000;

/** The SQL of every statement the pool's clients send from now on (observed, not changed). */
function statementsOf(pool: PostgresStore['pool']): string[] {
  const sent: string[] = [];
  const seen = new WeakSet<object>();
  pool.on('acquire', (client) => {
    if (seen.has(client)) return;
    seen.add(client);
    const query = client.query.bind(client) as (...a: unknown[]) => unknown;
    (client as { query: unknown }).query = (...a: unknown[]) => {
      sent.push(typeof a[0] === 'string' ? a[0] : (a[0] as { text: string }).text);
      return query(...a);
    };
  });
  return sent;
}

describe.skipIf(!pgs.ok)('PostgresStore', () => {
  let cluster: PgCluster;
  let url: string;
  let store: PostgresStore;
  beforeAll(async () => {
    cluster = await startPgCluster(pgs);
  });
  afterAll(async () => cluster?.stop());
  beforeEach(async () => {
    url = await cluster.createDatabase('gw_pgstore');
    store = await openPostgresStore(url);
  });
  afterEach(async () => store.close());

  const partitions = async () =>
    (await store.pool.query<{ n: string }>("SELECT c.relname AS n FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass")).rows.map((r) => r.n);

  it('opens its sessions with JIT off, and a setting the user passes in PGOPTIONS wins', async () => {
    expect((await store.pool.query<{ jit: string }>('SHOW jit')).rows[0]!.jit).toBe('off');
    const before = process.env.PGOPTIONS;
    process.env.PGOPTIONS = '-c jit=on -c work_mem=7MB';
    try {
      const other = await openPostgresStore(url);
      const r = (await other.pool.query<{ jit: string; work_mem: string }>("SELECT current_setting('jit') AS jit, current_setting('work_mem') AS work_mem")).rows[0]!;
      await other.close();
      expect(r).toEqual({ jit: 'on', work_mem: '7MB' });
    } finally {
      if (before === undefined) delete process.env.PGOPTIONS;
      else process.env.PGOPTIONS = before;
    }
  });

  it('gives back the exact received text: spacing, key order, escapes and non-ASCII untouched', async () => {
    const text = `{ "date_create":${JUNE_2024},"id":"x1" ,"action":"user_login","note":"caf\\u00e9 café \\"q\\" 𝄞",  "n":1.50,
      "actor":{"type":"user","user":{"id":"W1","name":"tab\\there\\nline\\r\\\\N"}}}`;
    await store.appendEvents([raw(text)]);
    const got = (await store.getEvent('x1'))!;
    expect(got.raw).toBe(text);
    // COPY's text format escapes tabs, newlines, carriage returns and backslashes: the normalised columns survive it.
    expect(got.norm.actorName).toBe('tab\there\nline\r\\N');
    expect((await store.queryEvents({}))[0]!.raw).toBe(text);
  });

  it('gives back exact text across COPY chunk boundaries: rows larger than a chunk, multi-byte text, escapes', async () => {
    // 256 KB chunks: a 700 KB row gets a buffer of its own; the rows around it end and start chunks.
    const big = (id: string, i: number, fill: string) =>
      raw(`{"id":"${id}","date_create":${JUNE_2024 + i},"action":"file_downloaded","actor":{"type":"user","user":{"id":"W${i}","name":"n\\t${i} é"}},"pad":"${fill}"}`);
    const batch = [big('c0', 0, 'a'.repeat(200_000)), big('c1', 1, 'é𝄞'.repeat(120_000)), big('c2', 2, 'b\\n'.repeat(50_000)), big('c3', 3, '')];
    expect((await store.appendEvents(batch)).inserted).toBe(4);
    const got = await store.getEvents(['c0', 'c1', 'c2', 'c3']);
    expect(got.map((e) => e.raw)).toEqual(batch.map((e) => e.raw));
    expect(got.map((e) => e.norm.actorName)).toEqual(['n\t0 é', 'n\t1 é', 'n\t2 é', 'n\t3 é']);
  });

  it('stores an event whose normalised fields decode to U+0000, which PostgreSQL text cannot hold, raw text exact', async () => {
    const text = `{"id":"nul","date_create":${JUNE_2024},"action":"user_login","actor":{"type":"user","user":{"id":"W1","name":"a\\u0000b"}}}`;
    expect((await store.appendEvents([raw(text)])).inserted).toBe(1);
    const got = (await store.getEvent('nul'))!;
    expect(got.raw).toBe(text);
    expect(got.norm.actorName).toBe('a\uFFFDb');
  });

  it('counts an id re-sent in another month as a duplicate, and keeps the first copy', async () => {
    const a = `{"id":"same","date_create":${JAN_2024},"action":"user_login"}`;
    const b = `{"id":"same","date_create":${JUNE_2024},"action":"user_logout"}`;
    expect(await store.appendEvents([raw(a)])).toEqual({ inserted: 1, duplicates: 0, insertedIds: ['same'] });
    expect(await store.appendEvents([raw(b)])).toEqual({ inserted: 0, duplicates: 1, insertedIds: [] });
    expect(await store.countEvents()).toBe(1);
    expect((await store.getEvent('same'))!.raw).toBe(a);
  });

  it('creates this month and the next two at open, and any month an append touches', async () => {
    const now = monthOf(Date.now() / 1000);
    const names = await partitions();
    for (const m of [now, now + 1, now + 2]) expect(names).toContain(monthPartition(m).name);
    expect(names).not.toContain(monthPartition(monthOf(JAN_2024)).name);
    await store.appendEvents([raw(`{"id":"old","date_create":${JAN_2024},"action":"user_login"}`)]);
    expect(await partitions()).toContain('events_2024_01');
    // A second process (its own cache of known partitions) appending the same month finds it there.
    const other = await openPostgresStore(url);
    await other.appendEvents([raw(`{"id":"old2","date_create":${JAN_2024 + 1},"action":"user_login"}`)]);
    await other.close();
    expect(await store.countEvents({ since: JAN_2024 - 1, until: JAN_2024 + 1 })).toBe(2);
  });

  it('two processes appending overlapping batches at once store each id once, in sequence order', async () => {
    const other = await openPostgresStore(url);
    try {
      const ev = (i: number) => raw(`{"id":"c${i}","date_create":${JUNE_2024 + i},"action":"user_login"}`);
      const batches = (from: number) => Array.from({ length: 10 }, (_, b) => Array.from({ length: 50 }, (_, k) => ev(from + b * 30 + k)));
      const [ra, rb] = await Promise.all([store, other].map(async (s, n) => {
        let inserted = 0;
        for (const batch of batches(n * 100)) inserted += (await s.appendEvents(batch)).inserted;
        return inserted;
      }));
      const ids = new Set([...batches(0), ...batches(100)].flat().map((e) => e.norm.id));
      expect(ra! + rb!).toBe(ids.size);
      expect(await store.countEvents()).toBe(ids.size);
      const bySeq = await store.eventsAfterSeq(0, 10_000);
      expect(new Set(bySeq.map((e) => e.norm.id))).toEqual(ids);
      expect(bySeq.map((e) => e.seq)).toEqual([...bySeq.map((e) => e.seq)].sort((x, y) => x - y));
    } finally {
      await other.close();
    }
  });

  it('ingest hands its batches to the background writer: each event stored once, in the order of the file', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => `i${i}`);
    // Times out of order across months, so batches land in several partitions.
    const text = ids.map((id, i) => `{"id":"${id}","date_create":${(i % 2 ? JUNE_2024 : JAN_2024) + (i % 7)},"action":"user_login"}`).join('\n');
    const s = await ingestStream(lines(text), 'order.jsonl', { store, batchSize: 20 });
    expect(s).toMatchObject({ ingested: 230, duplicates: 0, quarantined: 0 });
    expect((await store.eventsAfterSeq(0, 1000)).map((e) => e.norm.id)).toEqual(ids);
  });

  it('a batch the background writer fails to store stops the ingest there: no later batch is stored past the gap', async () => {
    // A trigger refuses event i100, the first of the sixth batch of 20; the batches after it are already handed over.
    await store.pool.query(`CREATE FUNCTION refuse_i100() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 'i100' THEN RAISE EXCEPTION 'refused %', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_i100 BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_i100()`);
    const ids = Array.from({ length: 230 }, (_, i) => `i${i}`);
    const text = ids.map((id, i) => `{"id":"${id}","date_create":${JUNE_2024 + i},"action":"user_login"}`).join('\n');
    await expect(ingestStream(lines(text), 'gap.jsonl', { store, batchSize: 20 })).rejects.toThrow(/refused i100/);
    expect((await store.eventsAfterSeq(0, 1000)).map((e) => e.norm.id)).toEqual(ids.slice(0, 100));
  });

  const login = (id: string, i = 0) => raw(`{"id":"${id}","date_create":${JUNE_2024 + i},"action":"user_login"}`);

  it('the background writer stores the batches handed over while one commits in one transaction, each with its own figures', async () => {
    const w = await store.openBackgroundWriter();
    const a = w.append([login('a1'), login('a2')]);
    // Handed over while the first commits: b and c wait for it, then go in together (a2 and b1 repeated).
    const b = w.append([login('b1'), login('a2')]);
    const c = w.append([login('c1'), login('b1'), login('c1')]);
    expect(await a).toEqual({ inserted: 2, duplicates: 0, insertedIds: ['a1', 'a2'] });
    expect(await b).toEqual({ inserted: 1, duplicates: 1, insertedIds: ['b1'] });
    expect(await c).toEqual({ inserted: 1, duplicates: 2, insertedIds: ['c1'] });
    await w.close();
    const tx = new Map((await store.pool.query<{ id: string; x: string }>('SELECT id, xmin::text AS x FROM event_ids')).rows.map((r) => [r.id, r.x]));
    expect(tx.get('b1')).toBe(tx.get('c1'));
    expect(tx.get('a1')).not.toBe(tx.get('b1'));
    expect((await store.eventsAfterSeq(0, 10)).map((e) => e.norm.id)).toEqual(['a1', 'a2', 'b1', 'c1']);
  });

  it('the background writer tries a failed merged transaction a batch at a time: the batches before the failing one are stored, none after', async () => {
    await store.pool.query(`CREATE FUNCTION refuse_r1() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 'r1' THEN RAISE EXCEPTION 'refused %', NEW.id; END IF; RETURN NEW; END $$;
      CREATE TRIGGER refuse_r1 BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_r1()`);
    const w = await store.openBackgroundWriter();
    const a = w.append([login('a1')]);
    // b, c and d go in as one transaction, which the trigger refuses whole.
    const b = w.append([login('b1')]);
    const c = w.append([login('c1'), login('r1')]).catch((e: Error) => e);
    const d = w.append([login('d1')]).catch((e: Error) => e);
    expect((await a).inserted).toBe(1);
    expect((await b).insertedIds).toEqual(['b1']);
    expect(String(await c)).toMatch(/refused r1/);
    expect(String(await d)).toMatch(/refused r1/);
    await expect(w.append([login('e1')])).rejects.toThrow(/refused r1/);
    await w.close();
    expect((await store.eventsAfterSeq(0, 10)).map((e) => e.norm.id)).toEqual(['a1', 'b1']);
  });

  it("the append's fold takes a person's newest e-mail of the batch, skipping newer events without one, as the catch-up does", async () => {
    const ev = (id: string, ts: number, who: object) =>
      raw(JSON.stringify({ id, date_create: JUNE_2024 + ts, action: 'user_login', actor: { type: 'user', user: { id: 'W1' } }, entity: { type: 'user', user: { id: 'W7', ...who } } }));
    await store.appendEvents([ev('p1', 100, { email: 'old@example.com' }), ev('p2', 300, { name: 'Seven' }), ev('p3', 200, { email: 'mid@example.com' }), ev('p4', 50, { email: 'first@example.com' })]);
    const seven = async () => (await store.eventSearch().peopleNamed('w7')).map((p) => [p.id, p.name, p.email]);
    expect(await seven()).toEqual([['W7', 'Seven', 'mid@example.com']]);
    await resetReadModels(store.pool);
    await catchUpReadModels(store.pool);
    expect(await seven()).toEqual([['W7', 'Seven', 'mid@example.com']]);
  });

  it('records each migration once, also when opened again', async () => {
    const other = await openPostgresStore(url);
    await other.close();
    const r = await store.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(r.rows.map((x) => x.version)).toEqual(pgMigrations.map((m) => m.version).sort((a, b) => a - b));
  });

  it('migration 26 compresses alert contexts with LZ4 when the server has it', async () => {
    const lz4 = (await store.pool.query("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)")).rowCount === 1;
    const context = { summary: 'x', related: Array.from({ length: 200 }, (_, i) => ({ time: `2026-12-0${1 + (i % 9)}T10:00:00Z`, action: 'file_downloaded', n: i })) };
    const draft = { id: 'a1', rule: 'r', severity: 'high' as const, title: 't', user_id: 'W1', user_name: null, user_email: null, first_ts: 1, last_ts: 2,
      event_ids: ['e1'], event_count: 1, tags: [], context: context as never, key: 'W1', period: 0, anchor: 1 };
    await store.alertStore().replace({ rules: ['r'], periodFrom: 0, periodTo: 0 }, [draft], 1000);
    const r = await store.pool.query<{ method: string | null }>("SELECT pg_column_compression(context) AS method FROM alerts WHERE id = 'a1'");
    expect(r.rows[0]!.method).toBe(lz4 ? 'lz4' : 'pglz');
    expect((await store.alertStore().get('a1'))!.context).toEqual(context);
  });

  it('migration 21 moves a store searched through the insert-time index: index dropped, free-text table filled by the catch-up', async () => {
    // The store as migration 20 left it: the trigram index on events, no free-text table, events stored.
    await store.pool.query(`DROP TABLE event_search; DELETE FROM schema_migrations WHERE version = 21;
      CREATE INDEX events_search ON events USING gin ((${SEARCH_TEXT}) gin_trgm_ops)`);
    const file = (id: string, name: string) => raw(`{"id":"${id}","date_create":${JUNE_2024},"action":"file_downloaded","entity":{"type":"file","file":{"id":"F${id}","name":"${name}"}}}`);
    await store.appendEvents([file('g1', 'Glengarry-Leads.xlsx'), file('g2', 'minutes.pdf')]);
    const trigramIndexes = async () =>
      Number((await store.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_indexes WHERE tablename LIKE 'events%' AND indexdef LIKE '%gin_trgm_ops%'")).rows[0]!.n);
    expect(await trigramIndexes()).toBeGreaterThan(0);
    await store.close();
    store = await openPostgresStore(url);
    expect(await trigramIndexes()).toBe(0);
    const search = store.eventSearch();
    expect(await search.position()).toBe(0);
    expect(await search.catchUp()).toBe(2);
    expect(await search.position()).toBe(await store.maxSeq());
    expect((await store.pool.query('SELECT seq FROM event_search')).rows).toHaveLength(2);
    expect((await search.searchEvents('glengarry', {}, 10))!.events.map((e) => e.norm.id)).toEqual(['g1']);
  });

  it('a request costs few statements: a page of events is one, a search with nothing left to fold takes no lock and folds nothing', async () => {
    const file = (i: number, name: string) => raw(`{"id":"f${i}","date_create":${JUNE_2024 + i},"action":"file_downloaded","entity":{"type":"file","file":{"id":"F${i}","name":"${name}"}}}`);
    await store.appendEvents(Array.from({ length: 200 }, (_, i) => file(i, i === 7 ? 'Glengarry-Leads.xlsx' : `report-${i}.pdf`)));
    const search = store.eventSearch();
    await search.catchUp();
    const sent = statementsOf(store.pool);
    // The first search samples the folded texts once (how common each trigram is); later ones do not.
    await search.searchEvents('report', {}, 10);
    expect(sent.filter((sql) => sql.startsWith('SELECT t FROM event_search WHERE seq = ANY'))).toHaveLength(1);
    sent.splice(0);
    expect(await store.queryEvents({ limit: 100 })).toHaveLength(100);
    expect(sent.splice(0)).toHaveLength(1);
    // What the events route does for a free-text request.
    expect(await store.eventSearch().catchUpInBackground()).toBe(0);
    expect((await store.eventSearch().searchEvents('glengarry', {}, 50))!.events.map((e) => e.norm.id)).toEqual(['f7']);
    expect(sent.filter((sql) => /pg_advisory|INSERT|UPDATE/i.test(sql))).toEqual([]);
    expect(sent.filter((sql) => sql.startsWith('SELECT t FROM event_search WHERE seq = ANY'))).toEqual([]);
    // Backlog, BEGIN, candidates, their texts, the unfolded tail, the page, COMMIT; and the route's backlog read.
    expect(sent.length).toBeLessThanOrEqual(9);
    // With something to fold, the same call folds it.
    await store.appendEvents([file(500, 'glengarry-2.xlsx')]);
    expect(await search.catchUpInBackground()).toBe(1);
    expect(sent.some((sql) => sql.includes('pg_advisory_xact_lock'))).toBe(true);
    // ... into the trigram index proper, not its pending list (which every search would read row by row).
    const pendingPages = async () => (await store.pool.query<{ n: number }>("SELECT gin_clean_pending_list('event_search_trgm') AS n")).rows[0]!.n;
    expect(await pendingPages()).toBe(0);
    expect((await search.searchEvents('glengarry', {}, 50))!.events.map((e) => e.norm.id)).toEqual(['f500', 'f7']);
  });

  it("an address's lists read events of ordinary width from the index alone, and a wide event from its own index", async () => {
    const at = (i: number, ua: string) => raw(JSON.stringify({ id: `ip${i}`, date_create: JUNE_2024 + i, action: 'user_login',
      actor: { type: 'user', user: { id: `W${i % 3}`, name: `User ${i % 3}`, email: `u${i % 3}@example.com` } }, context: { ip_address: '192.0.2.77', ua } }));
    await store.appendEvents([...Array.from({ length: 300 }, (_, i) => at(i, `Agent/${i % 4}`)), at(300, 'W'.repeat(2500))]);
    await store.pool.query(`VACUUM ${monthPartition(monthOf(JUNE_2024)).name}`);
    const c = await store.pool.connect();
    try {
      // Whatever the planner would pick for 301 rows: the question is whether each index can serve its part.
      await c.query('SET enable_seqscan = off; SET enable_bitmapscan = off');
      const sql = `EXPLAIN (FORMAT JSON) ${ADDRESS_RECENT_SQL}`.replace(/\$(\d)/g, (_, n) => ['', "'192.0.2.77'", '0', '9999999999', '', '20000'][Number(n)]!);
      const scans: string[] = [];
      const walk = (node: { 'Node Type': string; 'Index Name'?: string; Plans?: unknown[] }): void => {
        if (node['Index Name']) scans.push(`${node['Node Type']} ${node['Index Name']}`);
        for (const child of node.Plans ?? []) walk(child as typeof node);
      };
      walk((await c.query(sql)).rows[0]['QUERY PLAN'][0].Plan);
      const children = async (parent: string) => (await c.query<{ relname: string }>(
        'SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = $1', [parent])).rows.map((r) => r.relname);
      const june = (names: string[]) => names.find((n) => n.startsWith(monthPartition(monthOf(JUNE_2024)).name))!;
      expect(scans).toContain(`Index Only Scan ${june(await children('events_ip_people'))}`);
      const wide = june(await children('events_ip_wide'));
      expect(scans.some((x) => x.endsWith(` ${wide}`))).toBe(true);
    } finally {
      c.release();
    }
    const lists = await store.entityReads().addressLists('192.0.2.77', 0, 9_999_999_999, 10, 20_000);
    expect(lists.scanned).toBe(301);
    expect(lists.user_agents[0]).toMatchObject({ v: 'W'.repeat(2500), n: 1, last: JUNE_2024 + 300 });
    expect(lists.user_agents.reduce((s, u) => s + u.n, 0)).toBe(301);
  });

  it('is what openStore opens for a postgres:// URL, alerts and accounts included', async () => {
    const s = await openStore(url);
    try {
      expect(s).toBeInstanceOf(PostgresStore);
      expect(await s.alertStore().count()).toBe(0);
      expect(await s.accountStore().countAccounts()).toBe(0);
    } finally {
      await s.close();
    }
  });
});
