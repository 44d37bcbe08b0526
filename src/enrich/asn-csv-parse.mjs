// Parsing the shipped IP-to-ASN CSV files (`start,end,asn,name`) into flat typed arrays: shared by the synchronous
// load (packaged-data.ts, for the CLI and detection) and the load on a worker thread (asn-csv-worker.mjs, for the
// server). Plain JavaScript so the worker loads it without tsx. Types: asn-csv-parse.d.mts.
import { readFileSync } from 'node:fs';

/** The name column: possibly quoted, with `""` for a quote. */
function unquote(field) {
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
export function v6Words(text, out = new Uint32Array(4)) {
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
    for (let k = n - 1; k >= gap; k--) groups[k + shift] = groups[k];
    for (let k = gap; k < gap + shift; k++) groups[k] = 0;
  }
  for (let k = 0; k < 4; k++) out[k] = (groups[2 * k] * 0x10000 + groups[2 * k + 1]) >>> 0;
  return out;
}

/** An IPv4 address column in the `-num` files: a decimal number. */
function v4NumKey(text, out) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) return null;
  out[0] = n;
  return out;
}

/** Is key `a` (at word 0) after key `b`? */
function after(a, b, width) {
  for (let w = 0; w < width; w++) if (a[w] !== b[w]) return a[w] > b[w];
  return false;
}

/** Read one `start,end,asn,name` file into flat arrays; distinct `asn,name` pairs go to `values` (shared by files). */
function readAsnFile(path, width, key, values) {
  // Read as latin1 (one byte per character: fast to decode and index); names are decoded as UTF-8 once each.
  const text = readFileSync(path, 'latin1');
  let cap = 1 << 17;
  let starts = new Uint32Array(cap * width);
  let ends = new Uint32Array(cap * width);
  let ids = new Uint32Array(cap);
  let n = 0;
  const s = new Uint32Array(width);
  const e = new Uint32Array(width);
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const c1 = text.indexOf(',', pos);
    const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
    const c3 = c2 < 0 ? -1 : text.indexOf(',', c2 + 1);
    if (c3 > 0 && c3 < nl && key(text.slice(pos, c1), s) && key(text.slice(c1 + 1, c2), e) && !after(s, e, width)) {
      const asn = Number(text.slice(c2 + 1, c3));
      // ASN 0 means "not routed": no value rather than a bogus AS0.
      if (asn > 0) {
        const rest = text.slice(c2 + 1, nl);
        let id = values.ids.get(rest);
        if (id === undefined) {
          id = values.asns.length;
          values.asns.push(asn);
          values.names.push(Buffer.from(unquote(text.slice(c3 + 1, nl)), 'latin1').toString('utf8'));
          values.ids.set(rest, id);
        }
        if (n === cap) {
          cap *= 2;
          const grow = (a, w) => {
            const b = new Uint32Array(cap * w);
            b.set(a);
            return b;
          };
          starts = grow(starts, width);
          ends = grow(ends, width);
          ids = grow(ids, 1);
        }
        starts.set(s, n * width);
        ends.set(e, n * width);
        ids[n++] = id;
      }
    }
    pos = nl + 1;
  }
  // Copies of the used part: the over-allocated buffers can be freed, and these are what a worker transfers.
  return { width, starts: starts.slice(0, n * width), ends: ends.slice(0, n * width), values: ids.slice(0, n) };
}

/**
 * Parse the IPv4 (`asn-ipv4-num.csv`) and IPv6 (`asn-ipv6.csv`) files. Only typed arrays and one string come back,
 * so a worker can transfer the lot: `names` is every distinct name joined, `nameEnds[i]` where name `i` ends.
 *
 * @example
 * const t = parseAsnCsvs(v4Path, v6Path);
 * t.asns[t.v4.values[0]] // 13335 (the first IPv4 row's ASN)
 */
export function parseAsnCsvs(v4Path, v6Path) {
  const values = { asns: [], names: [], ids: new Map() };
  const v4 = readAsnFile(v4Path, 1, v4NumKey, values);
  const v6 = readAsnFile(v6Path, 4, v6Words, values);
  const nameEnds = new Uint32Array(values.names.length);
  let end = 0;
  values.names.forEach((name, i) => (nameEnds[i] = end += name.length));
  return { v4, v6, asns: Uint32Array.from(values.asns), names: values.names.join(''), nameEnds };
}
