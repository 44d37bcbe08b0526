/**
 * The IP data that ships with gridwatch as npm dependencies, so ASN trust and IP enrichment work with no setup:
 *
 * - IP → ASN and network name: `@ip-location-db/asn` (RouteViews, the five RIRs via NRO and DB-IP; CC BY 4.0, which
 *   asks for credit to RouteViews, NRO and DB-IP, with a link to db-ip.com where results are shown). Published only
 *   as CSV, read into typed arrays (`compact-ranges.ts`): ~0.8 s once per process (up to 4 s on a busy machine),
 *   then ~1 µs a lookup. The server reads it on a worker thread (`loadPackagedAsnInBackground`) and answers "unknown"
 *   meanwhile; the CLI and detection read it synchronously on the first lookup, so a rule never sees a half-loaded
 *   table (a `trusted_asns` match is never missed for want of data).
 * - IP → country: `@ip-location-db/geo-whois-asn-country-mmdb` (CC0), read with `mmdb-lib` straight from its buffer
 *   (~50 ms to open). Chosen over the CSV package: a third of the size on disk and no parse at start-up.
 *
 * Both load lazily on the first lookup (or the server's background load) and once per process: commands that never
 * enrich an address pay nothing.
 * The data updates with the package version (pinned exactly in package.json). Its own README warns that the npm
 * data has known errors: it is enrichment that says where it came from, not ground truth.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { Reader, type Response } from 'mmdb-lib';
import { parseAsnCsvs, type ParsedAsnCsvs } from './asn-csv-parse.mjs';
import type { AsnDatabase, AsnInfo } from './asn.ts';
import { compactRangesOf, type CompactRanges } from './compact-ranges.ts';
import type { CountryDatabase } from './country.ts';
import { parseCidrList, parseIp, rangeText, type IpKey } from './ip.ts';

export { v6Words } from './asn-csv-parse.mjs';

const require = createRequire(import.meta.url);

/** The credit line the data's licences ask for (CC BY 4.0: RouteViews, NRO, DB-IP with a link to db-ip.com). */
export const PACKAGED_DATA_CREDIT =
  'IP to ASN data: RouteViews, NRO and DB-IP (https://db-ip.com), CC BY 4.0, via ip-location-db; IP to country: ip-location-db geo-whois-asn-country (CC0)';

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

interface AsnTables {
  v4: CompactRanges;
  v6: CompactRanges;
  values: AsnInfo[];
}

const ASN_FILES = () => ({
  v4Path: require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'),
  v6Path: require.resolve('@ip-location-db/asn/asn-ipv6.csv'),
});

/** The parsed files (from this thread or a worker) as lookup tables: linear, the files being in order. */
function tablesOf(p: ParsedAsnCsvs): AsnTables {
  const values: AsnInfo[] = new Array(p.asns.length);
  let from = 0;
  for (let i = 0; i < p.asns.length; i++) {
    const name = p.names.slice(from, (from = p.nameEnds[i]!));
    values[i] = name ? { asn: p.asns[i]!, name } : { asn: p.asns[i]! };
  }
  return {
    v4: compactRangesOf(1, p.v4.starts, p.v4.ends, p.v4.values),
    v6: compactRangesOf(4, p.v6.starts, p.v6.ends, p.v6.values),
    values,
  };
}

let asnTables: AsnTables | null = null;
/** The background load in flight or done (once per process), and its worker while it runs. */
interface BackgroundLoad {
  done: Promise<void>;
  worker: Worker | null;
  settle(): void;
}
let background: BackgroundLoad | null = null;

/** Load the shipped ASN tables on this thread (first call only; a background load still running is dropped). */
function loadAsnTables(): AsnTables {
  if (asnTables) return asnTables;
  const { v4Path, v6Path } = ASN_FILES();
  asnTables = tablesOf(parseAsnCsvs(v4Path, v6Path));
  if (background?.worker) {
    void background.worker.terminate();
    background.worker = null;
    background.settle();
  }
  return asnTables;
}

/**
 * Read the shipped ASN data on a worker thread, so this thread keeps answering meanwhile; resolves once lookups use
 * it (at once if it is loaded, the same promise on every call). Only the hand-over (~50 ms: the arrays' buffers are
 * transferred, not copied) runs on this thread. Rejects when the files cannot be read.
 *
 * @example
 * void loadPackagedAsnInBackground().catch((e) => log('IP data not loaded', { error: e.message }));
 */
export function loadPackagedAsnInBackground(): Promise<void> {
  if (background) return background.done;
  if (asnTables) return (background = { done: Promise.resolve(), worker: null, settle: () => {} }).done;
  let settle!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // The worker holds no handle the process should wait for: a command that ends before the load simply ends.
  const worker = new Worker(new URL('./asn-csv-worker.mjs', import.meta.url), { execArgv: [], workerData: ASN_FILES() });
  worker.unref();
  const bg: BackgroundLoad = { done, worker, settle };
  background = bg;
  const stop = (e?: Error) => {
    if (bg.worker !== worker) return; // already settled (a message, or a load on this thread)
    bg.worker = null;
    void worker.terminate();
    if (e) fail(e);
    else settle();
  };
  worker.once('message', (m: { ok: true; tables: ParsedAsnCsvs } | { ok: false; error: string }) => {
    if (m.ok && !asnTables) asnTables = tablesOf(m.tables);
    stop(m.ok ? undefined : new Error(`shipped IP-to-ASN data: ${m.error}`));
  });
  worker.once('error', (e) => stop(e));
  worker.once('exit', (code) => stop(new Error(`shipped IP-to-ASN data: the loading thread exited (code ${code})`)));
  return done;
}

/** Has the shipped ASN data been loaded in this process (by either path)? */
export function packagedAsnLoaded(): boolean {
  return asnTables !== null;
}

/**
 * Special-use blocks (RFC 6890 and the documentation ranges): the shipped data has rows covering a few of them
 * (198.51.100.0/24 comes back as AU), but a private, loopback or documentation address has no network or country.
 * Answering null for them also keeps the demo's and tests' documentation addresses unenriched.
 */
const SPECIAL_USE = parseCidrList([
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/3',
  '::/127', '64:ff9b:1::/48', '100::/64', '2001:db8::/32', '3fff::/20', 'fc00::/7', 'fe80::/10', 'ff00::/8',
]);

/** The parsed address, or null when it is invalid or special-use (then no shipped data applies). */
function publicKey(ip: string): IpKey | null {
  const p = parseIp(ip);
  return p && SPECIAL_USE.table.lookupKey(p) === undefined ? p : null;
}

/** An IPv6 key as the table's 4 words, most significant first. */
function v6KeyWords(k: bigint): Uint32Array {
  const w = new Uint32Array(4);
  for (let i = 0; i < 4; i++) w[i] = Number((k >> BigInt(96 - 32 * i)) & MASK32);
  return w;
}

/** Words (most significant first) back to one number. */
function wordsToBig(w: Uint32Array): bigint {
  let k = 0n;
  for (const x of w) k = (k << 32n) | BigInt(x);
  return k;
}

const key1 = new Uint32Array(1);
const key4 = new Uint32Array(4);
const MASK32 = 0xffffffffn;

/** What a lookup does before the shipped ASN data is loaded. */
export type WhileLoading = 'load' | 'unknown';

/**
 * The shipped IP → ASN database (loads once, then stays in memory). `whileLoading`: `'load'` (the default, for the
 * CLI and detection) reads the files on the first lookup, blocking about a second; `'unknown'` (the server) starts
 * the background load instead and answers null until it is done.
 *
 * @example
 * packagedAsnDatabase().lookup('1.1.1.1') // { asn: 13335, name: 'Cloudflare, Inc.' }
 * packagedAsnDatabase().network('1.1.1.1') // '1.1.1.0/24'
 * packagedAsnDatabase({ whileLoading: 'unknown' }).lookup('1.1.1.1') // null until loadPackagedAsnInBackground() resolves
 */
export function packagedAsnDatabase(opts: { whileLoading?: WhileLoading } = {}): AsnDatabase {
  const tables = (): AsnTables | null => {
    if (asnTables || opts.whileLoading !== 'unknown') return loadAsnTables();
    // A failed background load is logged by whoever awaits it; lookups stay unknown.
    loadPackagedAsnInBackground().catch(() => {});
    return null;
  };
  return {
    lookup(ip: string): AsnInfo | null {
      const p = publicKey(ip);
      if (!p) return null;
      const t = tables();
      if (!t) return null;
      let id: number;
      if (p.family === 4) {
        key1[0] = p.key;
        id = t.v4.find(key1);
      } else {
        for (let i = 0; i < 4; i++) key4[i] = Number((p.key >> BigInt(96 - 32 * i)) & MASK32);
        id = t.v6.find(key4);
      }
      return id < 0 ? null : t.values[id]!;
    },
    network(ip: string): string | null {
      const p = publicKey(ip);
      if (!p) return null;
      const t = tables();
      if (!t) return null;
      const table = p.family === 4 ? t.v4 : t.v6;
      const i = table.findRange(p.family === 4 ? Uint32Array.of(p.key) : v6KeyWords(p.key));
      if (i < 0) return null;
      const { start, end } = table.rangeAt(i);
      return rangeText(p.family, wordsToBig(start), wordsToBig(end));
    },
    source: `@ip-location-db/asn@${packageVersion('@ip-location-db/asn')}`,
    get size() {
      const t = tables();
      return t ? t.v4.size + t.v6.size : 0;
    },
  };
}

let countryReader: Reader<Response> | null = null;
let countryLoad: Promise<void> | null = null;
const COUNTRY_FILE = () => require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');

/**
 * Read the shipped country data without blocking this thread (its 8 MB read takes 0.1 s on a busy machine); resolves
 * once lookups use it, the same promise on every call.
 *
 * @example
 * await loadPackagedCountryInBackground();
 */
export function loadPackagedCountryInBackground(): Promise<void> {
  return (countryLoad ??= countryReader
    ? Promise.resolve()
    : readFile(COUNTRY_FILE()).then((b) => {
        countryReader ??= new Reader(b);
      }));
}

/**
 * The shipped IP → country database (opens on the first lookup; `whileLoading` as for `packagedAsnDatabase`).
 *
 * @example
 * packagedCountryDatabase().lookup('1.1.1.1') // 'AU'
 */
export function packagedCountryDatabase(opts: { whileLoading?: WhileLoading } = {}): CountryDatabase {
  const open = (): Reader<Response> => (countryReader ??= new Reader(readFileSync(COUNTRY_FILE())));
  return {
    lookup(ip: string): string | null {
      const p = publicKey(ip);
      if (!p) return null;
      if (!countryReader && opts.whileLoading === 'unknown') {
        loadPackagedCountryInBackground().catch(() => {});
        return null;
      }
      // Addresses reach mmdb-lib normalised (it is strict about spaces and v4-mapped forms).
      const text = p.family === 4 ? [p.key >>> 24, (p.key >>> 16) & 255, (p.key >>> 8) & 255, p.key & 255].join('.') : ip.trim();
      // The records of this file are `{ country_code }`, not MaxMind's own country shape that the types describe.
      const cc = (open().get(text) as { country_code?: string } | null)?.country_code;
      return cc && /^[A-Za-z]{2}$/.test(cc) ? cc.toUpperCase() : null;
    },
    source: `@ip-location-db/geo-whois-asn-country-mmdb@${packageVersion('@ip-location-db/geo-whois-asn-country-mmdb')}`,
    get size() {
      return open().metadata.nodeCount;
    },
  };
}
