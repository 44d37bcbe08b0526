/**
 * Event filters by network (CIDR, ASN) and message channel, the same rejection of bad and empty values in the CLI and
 * the API, and the streamed export: a real SQLite file, the real `bin/gridwatch`, a real server on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipInCidrs, parseCidr, parseCidrList } from '../src/enrich/ip.ts';
import { exportStream } from '../src/events/export.ts';
import { Command } from 'commander';
import { parseFilterFlags, withEventFilters } from '../src/cli/commands/events.ts';
import { EventFilterShape } from '../src/events/filters.ts';
import { normalise } from '../src/events/normalise.ts';
import { createServer, type RunningServer } from '../src/server/index.ts';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.ts';
import { buildEventWhere as buildWhere } from '../src/store/sqlite/query.ts';
import type { EventQuery, IncomingEvent } from '../src/store/types.ts';
import { addAccounts, apiLogin } from './server-fixtures.ts';
import { runCli } from './cli-helpers.ts';

const T0 = 1768000000;
const IPS = [
  ...Array.from({ length: 40 }, (_, i) => `203.0.113.${i * 6}`),
  '203.0.112.255', '203.0.114.0', '198.51.100.7', '10.1.2.3', '10.15.255.255', '10.16.0.0',
  '2001:db8::1', '2001:db8:0:1::5', '2001:db9::1', '::ffff:203.0.113.9', '1.1.1.1', '1.23.45.678',
];

function event(i: number, ip: string | null, extra: Record<string, unknown> = {}): IncomingEvent {
  const ev = {
    id: `ev-${String(i).padStart(5, '0')}`,
    date_create: T0 + i,
    action: 'user_login',
    actor: { type: 'user', user: { id: `W${i % 7}`, name: `user ${i % 7}`, email: `u${i % 7}@example.com` } },
    entity: { type: 'user', user: { id: `W${i % 7}`, name: `user ${i % 7}` } },
    context: { ...(ip === null ? {} : { ip_address: ip }), ua: '=cmd|calc', session_id: 100 + i },
    ...extra,
  };
  const raw = JSON.stringify(ev);
  return { raw, norm: normalise(JSON.parse(raw)) };
}

const events: IncomingEvent[] = [
  ...IPS.map((ip, i) => event(i, ip)),
  event(100, null),
  event(101, '198.51.100.7', { action: 'private_message_forwarded', entity: { type: 'message', message: { channel: 'C0CHAN1', team: 'T1', timestamp: '1.2' } } }),
  event(102, '198.51.100.7', { action: 'message_flagged', entity: { type: 'message', message: { channel: 'C0CHAN2', team: 'T1', timestamp: '1.3' } } }),
];

let dir: string;
let db: string;
let store: SqliteStore;
let srv: RunningServer;
let cookie = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-filters-'));
  db = join(dir, 'gw.db');
  store = await openSqliteStore(db);
  await store.appendEvents(events);
  await addAccounts(store, ['viewer']);
  srv = await createServer({ store, port: 0, log: () => {} });
  cookie = (await apiLogin(srv.url, 'viewer')).cookie;
});

afterAll(async () => {
  await srv?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (evs: Array<{ norm: { id: string } } | { id: string }>) => evs.map((e) => ('norm' in e ? e.norm.id : e.id)).sort();
const expectedIn = (cidr: string) => ids(events.filter((e) => ipInCidrs(e.norm.ip, parseCidrList([cidr]))));
const rangeOf = (cidr: string) => {
  const r = parseCidr(cidr);
  if (!r.ok) throw new Error(r.reason);
  return r.range;
};
const get = (path: string) => fetch(srv.url + path, { headers: { cookie } });

describe('CIDR filter (store)', () => {
  it.each(['203.0.113.0/24', '203.0.113.0/26', '10.0.0.0/12', '2001:db8::/32', '2001:db8::/64', '198.51.100.7', '0.0.0.0/0'])(
    'returns exactly the events whose address is in %s',
    async (cidr) => {
      const got = ids(await store.queryEvents({ ipRanges: [rangeOf(cidr)] }));
      expect(got).toEqual(expectedIn(cidr));
      expect(got.length).toBeGreaterThan(0);
    },
  );

  it('matches an IPv4-mapped IPv6 spelling as the IPv4 address, and never an invalid stored address', async () => {
    const got = ids(await store.queryEvents({ ipRanges: [rangeOf('203.0.113.9/32')] }));
    expect(got).toEqual([events[IPS.indexOf('::ffff:203.0.113.9')]!.norm.id]);
    const all = ids(await store.queryEvents({ ipRanges: [rangeOf('0.0.0.0/0'), rangeOf('::/0')] }));
    expect(all).not.toContain(events[IPS.indexOf('1.23.45.678')]!.norm.id);
    expect(all).not.toContain('ev-00100');
  });

  it('reads the address index, not the table', () => {
    const plan = (q: EventQuery) => {
      const { where, params } = buildWhere(q);
      return (store.db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM events e ${where} ORDER BY e.ts DESC, e.seq DESC LIMIT 100`).all(params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('\n');
    };
    const p = plan({ ipRanges: [rangeOf('203.0.113.0/24')] });
    expect(p).toMatch(/USING INDEX events_ip_key_ts \(ip_key>\? AND ip_key<\?\)/);
    expect(p).not.toMatch(/SCAN e\b/);
    const c = plan({ channel: 'C0CHAN1' });
    expect(c).toMatch(/USING INDEX events_channel_ts \(channel_id=\?\)/);
    const a = plan({ ips: ['1.1.1.1'] });
    expect(a).toMatch(/USING INDEX events_ip_ts \(ip=\?\)/);
  });

  it('backfills the address key of events stored before the migration', async () => {
    const path = join(dir, 'old.db');
    let s = await openSqliteStore(path);
    await s.appendEvents(events);
    // Back to the schema before migration 7: no ip_key, no channel_id.
    s.db.exec(`DROP INDEX events_ip_key_ts; DROP INDEX events_channel_ts; ALTER TABLE events DROP COLUMN ip_key;
      ALTER TABLE events DROP COLUMN channel_id; DELETE FROM schema_migrations WHERE version = 7`);
    await s.close();
    s = await openSqliteStore(path);
    try {
      expect(ids(await s.queryEvents({ ipRanges: [rangeOf('203.0.113.0/24')] }))).toEqual(expectedIn('203.0.113.0/24'));
      expect(ids(await s.queryEvents({ channel: 'C0CHAN2' }))).toEqual(['ev-00102']);
    } finally {
      await s.close();
    }
  });
});

describe('CLI', () => {
  it('events --ip CIDR gives exactly the events in range; --asn 13335 finds the 1.1.1.1 event; --channel filters and the table shows it', async () => {
    const r = await runCli(['--db', db, 'events', '--ip', '203.0.113.0/24', '--limit', '0', '--format', 'json']);
    expect(r.code).toBe(0);
    const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l).id).sort();
    expect(got).toEqual(expectedIn('203.0.113.0/24'));
    const asn = await runCli(['--db', db, 'events', '--asn', 'AS13335', '--limit', '0', '--format', 'json']);
    expect(asn.code).toBe(0);
    expect(asn.stdout.trim().split('\n').map((l) => JSON.parse(l).context.ip_address)).toEqual(['1.1.1.1']);
    const ch = await runCli(['--db', db, 'events', '--channel', 'C0CHAN1', '--format', 'table']);
    expect(ch.code).toBe(0);
    expect(ch.stdout).toContain('private_message_forwarded');
    expect(ch.stdout).toContain('message in C0CHAN1');
    expect(ch.stdout).not.toContain('message_flagged');
  }, 60_000);

  it('rejects an invalid --ip and an empty --action with exit 2 and one line naming the flag', async () => {
    const bad = await runCli(['--db', db, 'events', '--ip', 'not-an-ip']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^gridwatch: invalid --ip: must be an IP address or CIDR block/);
    const empty = await runCli(['--db', db, 'events', '--action', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('gridwatch: invalid --action: must not be empty');
  }, 60_000);

  it('rejects an empty value for every filter flag, and bad ASN and channel values', () => {
    const flags = Object.keys(EventFilterShape).filter((k) => k !== 'q');
    expect(flags.length).toBe(10);
    // Every filter of the schema is a flag of `gridwatch events`.
    const cmd = withEventFilters(new Command('events'));
    expect(flags.filter((f) => !cmd.options.some((o) => o.long === `--${f}`))).toEqual([]);
    for (const f of flags) {
      for (const v of ['', '  ']) expect(() => parseFilterFlags({ [f]: v }), f).toThrow(`invalid --${f}: must not be empty`);
    }
    expect(() => parseFilterFlags({ action: 'a,,b' })).toThrow('invalid --action: must not be empty');
    expect(() => parseFilterFlags({ asn: 'cloudflare' })).toThrow('invalid --asn: must be an AS number');
    expect(() => parseFilterFlags({ channel: 'C1;drop' })).toThrow('invalid --channel: must be a channel id');
    expect(() => parseFilterFlags({ ip: '10.0.0.0/33' })).toThrow('invalid --ip');
  });
});

describe('API', () => {
  it('filters by ip (CIDR), asn and channel on the list and the histogram, and shows a message event\'s channel', async () => {
    const list = await (await get('/api/v1/events?ip=2001:db8::/32&limit=1000')).json();
    expect(ids(list.events)).toEqual(expectedIn('2001:db8::/32'));
    const asn = await (await get('/api/v1/events?asn=13335')).json();
    expect(asn.events.map((e: { ip: string }) => e.ip)).toEqual(['1.1.1.1']);
    const ch = await (await get('/api/v1/events?channel=C0CHAN2')).json();
    expect(ch.events.map((e: { id: string; channel: string }) => [e.id, e.channel])).toEqual([['ev-00102', 'C0CHAN2']]);
    const vol = await (await get('/api/v1/stats/volume?ip=203.0.113.0/24&since=' + T0 + '&until=' + (T0 + 200))).json();
    expect(vol.total).toBe(expectedIn('203.0.113.0/24').length);
  });

  it('answers 400 naming the parameter for an invalid or empty value of every filter, on the list, the histogram and the export', async () => {
    for (const path of ['/api/v1/events', '/api/v1/stats/volume', '/api/v1/events/export?format=csv&']) {
      const sep = path.includes('?') ? '' : '?';
      const bad = await get(`${path}${sep}ip=not-an-ip`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toMatch(/"ip"/);
      for (const f of Object.keys(EventFilterShape)) {
        const r = await get(`${path}${sep}${f}=`);
        expect(r.status, `${path} ${f}=`).toBe(400);
        expect(JSON.stringify(await r.json()), f).toContain(`"${f}"`);
      }
    }
    expect((await get('/api/v1/events?asn=AS0x')).status).toBe(400);
  });
});

describe('export', () => {
  const text = async (r: Response) => Buffer.from(await r.arrayBuffer()).toString('utf8');

  it('JSON Lines are the exact raw texts of the filtered events, newest first', async () => {
    const r = await get('/api/v1/events/export?format=jsonl&ip=203.0.113.0/24');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(/attachment; filename="gridwatch-events-.*\.jsonl"/);
    const want = events.filter((e) => ipInCidrs(e.norm.ip, parseCidrList(['203.0.113.0/24']))).sort((a, b) => b.norm.ts - a.norm.ts);
    expect(await text(r)).toBe(want.map((e) => `${e.raw}\n`).join(''));
  });

  it('CSV has the CLI\'s columns and quotes cells a spreadsheet would run', async () => {
    const r = await get('/api/v1/events/export?format=csv&channel=C0CHAN1');
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await text(r)).split('\r\n');
    expect(lines[0]).toBe('id,time,action,actor_id,actor_name,actor_email,entity_type,entity_id,entity_name,ip,session_id,ua,reasons');
    expect(lines[1]).toBe(`ev-00101,${new Date((T0 + 101) * 1000).toISOString().replace('.000', '')},private_message_forwarded,W3,user 3,u3@example.com,message,,,198.51.100.7,201,'=cmd|calc,`);
    expect(lines.slice(2)).toEqual(['']);
    const cli = await runCli(['--db', db, 'events', '--channel', 'C0CHAN1', '--format', 'csv']);
    expect(cli.stdout.split('\r\n')).toEqual(lines);
  }, 30_000);

  it('a large export is streamed a page at a time: the first chunk comes after one page is read', async () => {
    const big = await openSqliteStore(join(dir, 'big.db'));
    try {
      await big.appendEvents(Array.from({ length: 5000 }, (_, i) => event(1000 + i, `192.0.2.${i % 250}`)));
      let pagesRead = 0;
      const counting = Object.create(big) as SqliteStore;
      counting.queryEvents = async (q) => {
        pagesRead++;
        return big.queryEvents(q);
      };
      const reader = exportStream(counting, { ipRanges: [rangeOf('192.0.2.0/24')] }, 'jsonl', { pageSize: 500 }).getReader();
      const first = await reader.read();
      expect(pagesRead).toBe(1);
      expect(new TextDecoder().decode(first.value!).split('\n').length - 1).toBe(500);
      let chunks = 1;
      let lines = 500;
      for (let c = await reader.read(); !c.done; c = await reader.read()) {
        chunks++;
        lines += new TextDecoder().decode(c.value).split('\n').length - 1;
        expect(pagesRead).toBe(chunks);
      }
      expect([chunks, lines]).toEqual([10, 5000]);
    } finally {
      await big.close();
    }
  });
});
