/**
 * The IP data that ships with gridwatch as npm dependencies, so ASN trust and IP enrichment work with no setup:
 *
 * - IP → ASN and network name: `@ip-location-db/asn` (RouteViews, the five RIRs via NRO and DB-IP; CC BY 4.0, which
 *   asks for credit to RouteViews, NRO and DB-IP, with a link to db-ip.com where results are shown). Published only
 *   as CSV, read into typed arrays (`compact-ranges.ts`): ~0.8 s once per process, then ~1 µs a lookup.
 * - IP → country: `@ip-location-db/geo-whois-asn-country-mmdb` (CC0), read with `mmdb-lib` straight from its buffer
 *   (~50 ms to open). Chosen over the CSV package: a third of the size on disk and no parse at start-up.
 *
 * Both load lazily on the first lookup and once per process: commands that never enrich an address pay nothing.
 * The data updates with the package version (pinned exactly in package.json). Its own README warns that the npm
 * data has known errors: it is enrichment that says where it came from, not ground truth.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'mmdb-lib';
import type { AsnDatabase, AsnInfo } from './asn.ts';
import { CompactRangeBuilder, type CompactRanges } from './compact-ranges.ts';
import type { CountryDatabase } from './country.ts';
import { parseCidrList, parseIp, rangeText, type IpKey } from './ip.ts';

const require = createRequire(import.meta.url);

/** The credit line the data's licences ask for (CC BY 4.0: RouteViews, NRO, DB-IP with a link to db-ip.com). */
export const PACKAGED_DATA_CREDIT =
  'IP to ASN data: RouteViews, NRO and DB-IP (https://db-ip.com), CC BY 4.0, via ip-location-db; IP to country: ip-location-db geo-whois-asn-country (CC0)';

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** The name column: possibly quoted, with `""` for a quote. */
function unquote(field: string): string {
  const s = field.trim();
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s;
}

/**
 * Parse an IPv6 address in the data files' compressed form (`2606:4700::`, no embedded IPv4) into 4 words, with a
 * character loop rather than split/regex (it runs 200k times at load). Returns null for anything else, so a
 * malformed row is skipped rather than misplaced.
 *
 * @example
 * v6Words('2606:4700::') // Uint32Array [0x26064700, 0, 0, 0]
 */
export function v6Words(text: string, out: Uint32Array = new Uint32Array(4)): Uint32Array | null {
  const groups = [0, 0, 0, 0, 0, 0, 0, 0];
  const len = text.length;
  let n = 0;
  let gap = -1; // how many groups precede the '::', -1 without one
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < len) {
    let g = 0;
    const from = i;
    for (; i < len && i - from <= 4; i++) {
      const c = text.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      g = g * 16 + d;
    }
    if (i === from || i - from > 4 || n === 8) return null;
    groups[n++] = g;
    if (i === len) break;
    if (text.charCodeAt(i) !== 58) return null;
    i++;
    if (i < len && text.charCodeAt(i) === 58) {
      if (gap >= 0) return null;
      gap = n;
      i++;
    } else if (i === len) {
      return null; // a single trailing ':'
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return null;
  if (gap >= 0) {
    const shift = 8 - n;
    for (let k = n - 1; k >= gap; k--) groups[k + shift] = groups[k]!;
    for (let k = gap; k < gap + shift; k++) groups[k] = 0;
  }
  for (let k = 0; k < 4; k++) out[k] = (groups[2 * k]! * 0x10000 + groups[2 * k + 1]!) >>> 0;
  return out;
}

interface AsnTables {
  v4: CompactRanges;
  v6: CompactRanges;
  values: AsnInfo[];
}

/** Read one `start,end,asn,name` file into a builder; `key` turns an address column into words. */
function readAsnFile(path: string, width: 1 | 4, key: (text: string, out: Uint32Array) => Uint32Array | null, values: AsnInfo[], ids: Map<string, number>): CompactRanges {
  // Read as latin1 (one byte per character: fast to decode and index); names are decoded as UTF-8 once each.
  const text = readFileSync(path, 'latin1');
  const b = new CompactRangeBuilder(width, 1 << 17);
  const s = new Uint32Array(width);
  const e = new Uint32Array(width);
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c3 > 0 && c3 < nl && key(text.slice(pos, c1), s) && key(text.slice(c1 + 1, c2), e)) {
      const asn = Number(text.slice(c2 + 1, c3));
      // ASN 0 means "not routed": no value rather than a bogus AS0.
      if (asn > 0) {
        const rest = text.slice(c2 + 1, nl);
        let id = ids.get(rest);
        if (id === undefined) {
          id = values.length;
          const name = Buffer.from(unquote(text.slice(c3 + 1, nl)), 'latin1').toString('utf8');
          values.push(name ? { asn, name } : { asn });
          ids.set(rest, id);
        }
        b.add(s, e, id);
      }
    }
    pos = nl + 1;
  }
  return b.build();
}

const v4NumKey = (text: string, out: Uint32Array): Uint32Array | null => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) return null;
  out[0] = n;
  return out;
};

let asnTables: AsnTables | null = null;

/** Load the shipped ASN tables (first call only). */
function loadAsnTables(): AsnTables {
  if (asnTables) return asnTables;
  const values: AsnInfo[] = [];
  const ids = new Map<string, number>();
  const v4 = readAsnFile(require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'), 1, v4NumKey, values, ids);
  const v6 = readAsnFile(require.resolve('@ip-location-db/asn/asn-ipv6.csv'), 4, v6Words, values, ids);
  asnTables = { v4, v6, values };
  return asnTables;
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

/**
 * The shipped IP → ASN database (loads on the first lookup, then stays in memory).
 *
 * @example
 * packagedAsnDatabase().lookup('1.1.1.1') // { asn: 13335, name: 'Cloudflare, Inc.' }
 * packagedAsnDatabase().network('1.1.1.1') // '1.1.1.0/24'
 */
export function packagedAsnDatabase(): AsnDatabase {
  return {
    lookup(ip: string): AsnInfo | null {
      const p = publicKey(ip);
      if (!p) return null;
      const t = loadAsnTables();
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
      const t = loadAsnTables();
      const table = p.family === 4 ? t.v4 : t.v6;
      const i = table.findRange(p.family === 4 ? Uint32Array.of(p.key) : v6KeyWords(p.key));
      if (i < 0) return null;
      const { start, end } = table.rangeAt(i);
      return rangeText(p.family, wordsToBig(start), wordsToBig(end));
    },
    source: `@ip-location-db/asn@${packageVersion('@ip-location-db/asn')}`,
    get size() {
      const t = loadAsnTables();
      return t.v4.size + t.v6.size;
    },
  };
}

let countryReader: Reader<Response> | null = null;

/**
 * The shipped IP → country database (opens on the first lookup).
 *
 * @example
 * packagedCountryDatabase().lookup('1.1.1.1') // 'AU'
 */
export function packagedCountryDatabase(): CountryDatabase {
  const open = (): Reader<Response> =>
    (countryReader ??= new Reader(readFileSync(require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb'))));
  return {
    lookup(ip: string): string | null {
      const p = publicKey(ip);
      if (!p) return null;
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
