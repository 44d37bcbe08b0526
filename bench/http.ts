/**
 * HTTP latency of the web UI's API over loopback (p50/p95 per endpoint), for `npm run bench`, and the gzip size of
 * the JavaScript the first page load fetches. Target: p95 under 100 ms for each endpoint with 1,000,000 events.
 *
 * Run alone: `node --import tsx bench/http.ts [store]` (a SQLite path or postgres:// URL; default
 * bench/.data/ingest-bench.db).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MemoryAlertStore } from '../src/alerts/memory.ts';
import type { Alert, AlertStore } from '../src/alerts/types.ts';
import { Accounts, createServer, DEFAULT_WEB_DIR } from '../src/server/index.ts';
import { openStore, type OpenedStore } from '../src/store/index.ts';

export interface Latency {
  p50: number;
  p95: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** An alert to open when the database has none (detection not run): a download burst of the busiest user. */
async function syntheticAlert(store: OpenedStore): Promise<AlertStore> {
  const busiest = (await store.topCounts('actor', 1, { actions: ['file_downloaded'] }))[0]!.key;
  const evs = await store.queryEvents({ actor: busiest, actions: ['file_downloaded'], limit: 200 });
  const first = evs[evs.length - 1]!.norm;
  const last = evs[0]!.norm;
  const alerts = new MemoryAlertStore();
  const a: Alert = {
    id: 'al_bench', rule: 'bench', severity: 'high', title: 'bench alert', status: 'open', status_note: null, status_by: null,
    user_id: busiest, user_name: last.actorName, user_email: last.actorEmail, first_seen: '', last_seen: '', first_ts: first.ts, last_ts: last.ts,
    event_ids: evs.map((e) => e.norm.id).reverse(), event_count: evs.length, tags: [], created_at: '', updated_at: '', key: busiest, period: 0,
    anchor: first.ts, version: 1,
    context: {
      summary: 'bench', reasons: [], facts: { count: evs.length }, target: null, related: [], aer_reset: null, slack: [],
      ips: [{ ip: last.ip ?? '', new_for_user: true, history: null, trusted: { trusted: false }, vpn: null, threat_intel: null, slack_said: [], asn: null }],
      user_agents: [{ ua: last.ua ?? '', family: 'unknown', name: 'x', version: null, expected: false, new_for_user: true, history: null }],
      downloads: { window: { from: '', to: '' }, count: evs.length, files: evs.map((e) => ({ event_id: e.norm.id, time: '', file_id: e.norm.entityId, file_name: e.norm.entityName, ip: e.norm.ip, ua: e.norm.ua })) },
    },
  };
  await alerts.replace({ rules: ['bench'], periodFrom: 0, periodTo: 0 }, [a], Date.now());
  return alerts;
}

/**
 * p50/p95 latency (ms) of each UI endpoint over HTTP on loopback, against the database at `dbPath`.
 * Creates a temporary account (removed afterwards) and, if the database has no alert, uses a synthetic one.
 *
 * @example
 * for (const [name, r] of Object.entries(await benchHttp('bench/.data/ingest-bench.db'))) console.log(name, r.p95);
 */
export async function benchHttp(location: string, runs = 40): Promise<Record<string, Latency>> {
  const store = await openStore(location);
  const accounts = new Accounts(store.accountStore());
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  let alerts: AlertStore | null = null;
  let stored: AlertStore | null = null;
  try {
    stored = store.alertStore();
  } catch {
    // A backend without stored alerts yet: the synthetic one, in memory.
  }
  if (stored && (await stored.list({ limit: 1 })).length) alerts = stored;
  alerts ??= await syntheticAlert(store);
  const [alert] = await alerts.list({ limit: 1 });
  // Free text is timed against a caught-up index (a first start indexes in the background and scans meanwhile);
  // the build is a figure of its own.
  let t0 = performance.now();
  await store.eventSearch().catchUpInBackground();
  const indexMs = performance.now() - t0;
  t0 = performance.now();
  const srv = await createServer({ store, alerts, port: 0, log: () => {} });
  const startupMs = performance.now() - t0;
  const { account } = await accounts.create({ name, role: 'viewer', password });
  try {
    const login = await fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const get = async (path: string) => {
      const r = await fetch(srv.url + path, { headers: { cookie } });
      await r.arrayBuffer();
      if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
    };
    const sample = (await store.queryEvents({ actions: ['file_downloaded'], limit: 1 }))[0]!.norm;
    const reason = (await store.topCounts('reason', 1))[0]?.key ?? 'excessive_downloads';
    const newest = (await store.newestEventTime())!;
    const user = alert!.user_id ?? sample.actorId!;
    const cases: Array<[string, string]> = [
      ['events, no filter', '/api/v1/events?limit=100'],
      ['events, action', '/api/v1/events?limit=100&action=file_downloaded'],
      ['events, actor', `/api/v1/events?limit=100&actor=${sample.actorId}`],
      ['events, actor+action', `/api/v1/events?limit=100&actor=${sample.actorId}&action=file_downloaded`],
      ['events, ip', `/api/v1/events?limit=100&ip=${sample.ip}`],
      ['events, reason', `/api/v1/events?limit=100&reason=${reason}`],
      ['events, last 24h', `/api/v1/events?limit=100&since=${newest - 86400}`],
      ['events, page 50 (cursor)', ''],
      ['alert with context', `/api/v1/alerts/${alert!.id}`],
      ['alerts list', '/api/v1/alerts?limit=500'],
      ['user page (summary)', `/api/v1/users/${user}`],
      ['user page (timeline)', `/api/v1/users/${user}/timeline`],
      ['ip page', `/api/v1/ips/${sample.ip}`],
      ['volume, all time', '/api/v1/stats/volume'],
      ['volume, action', '/api/v1/stats/volume?action=file_downloaded,user_login'],
      ['volume, last 24h', `/api/v1/stats/volume?since=${newest - 86400}`],
      ['volume, actor', `/api/v1/stats/volume?actor=${sample.actorId}`],
      ['action catalogue', '/api/v1/actions'],
      // Through the search index (caught up above); a term too common for it scans, time-boxed per page.
      ['free text, common', '/api/v1/events?limit=100&q=file_downloaded'],
      ['free text, rare', `/api/v1/events?limit=100&q=${encodeURIComponent(sample.entityName ?? 'x')}`],
    ];
    // A cursor 50 pages deep: keyset paging costs the same at any depth.
    let deep = '';
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const r = (await (await fetch(`${srv.url}/api/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers: { cookie } })).json()) as { next: string | null };
      cursor = r.next;
    }
    if (cursor) deep = `/api/v1/events?limit=100&cursor=${cursor}`;
    const out: Record<string, Latency> = {
      'search index build': { p50: +indexMs.toFixed(1), p95: +indexMs.toFixed(1) },
      'server start': { p50: +startupMs.toFixed(1), p95: +startupMs.toFixed(1) },
    };
    for (const [label, path] of cases) {
      const p = label.startsWith('events, page 50') ? deep : path;
      if (!p) continue;
      await get(p); // warm-up: statement cache and page cache
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await get(p);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      out[label] = { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2) };
    }
    return out;
  } finally {
    await accounts.remove(account.id);
    await srv.close();
    await store.close();
  }
}

/**
 * Sizes of what the first page load fetches (index.html, its entry script and stylesheet), raw and gzip, and of
 * every lazily loaded chunk. Null when the app is not built.
 *
 * @example webBundleReport()?.firstLoad.jsGzip // bytes
 */
export function webBundleReport(dir: string = DEFAULT_WEB_DIR) {
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) return null;
  const html = readFileSync(indexPath, 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  const size = (rel: string) => {
    const b = readFileSync(join(dir, rel));
    return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
  };
  const js = refs.filter((r) => r.endsWith('.js')).map(size);
  const css = refs.filter((r) => r.endsWith('.css')).map(size);
  const sum = (xs: Array<{ raw: number; gzip: number }>, k: 'raw' | 'gzip') => xs.reduce((a, x) => a + x[k], 0);
  return {
    firstLoad: { jsRaw: sum(js, 'raw'), jsGzip: sum(js, 'gzip'), cssGzip: sum(css, 'gzip'), htmlGzip: gzipSync(html).length },
    entries: refs,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const db = process.argv[2] ?? 'bench/.data/ingest-bench.db';
  console.log(`## web UI over HTTP (${db})  target: p95 < 100 ms`);
  for (const [k, r] of Object.entries(await benchHttp(db))) console.log(`${k.padEnd(32)} p50 ${String(r.p50).padStart(8)} ms   p95 ${String(r.p95).padStart(8)} ms`);
  const w = webBundleReport();
  console.log(w ? `first-load JS: ${(w.firstLoad.jsRaw / 1024).toFixed(1)} kB, ${(w.firstLoad.jsGzip / 1024).toFixed(1)} kB gzip (CSS ${(w.firstLoad.cssGzip / 1024).toFixed(1)} kB gzip)` : 'web app not built');
}
