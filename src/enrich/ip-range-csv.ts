/**
 * Reader for user-supplied IP range files: `start_ip,end_ip,<columns...>` per line, the layout of the public
 * ip-location-db / iptoasn CSV exports. Used by the ASN and country databases.
 *
 * Lenient by design: a header line, blank lines, `#` comments, CRLF endings, a BOM and quoted fields are accepted;
 * a bad line is reported (line number and reason) and skipped, so one broken row of a 400k-row file does not stop
 * gridwatch. A file with no valid row at all is an error, since that is almost certainly the wrong file.
 */
import { readFileSync } from 'node:fs';
import { IpRangeTable, parseIp } from './ip.ts';

export interface CsvProblem {
  line: number;
  reason: string;
}

export interface RangeCsvReport {
  source: string;
  ranges: number;
  badLines: number;
  /** The first few problems (at most 20), for a start-up log line. */
  problems: CsvProblem[];
}

const MAX_PROBLEMS = 20;

/**
 * Split one CSV line into fields (RFC 4180 quoting: `"a,b"` and `""` inside quotes).
 *
 * @example
 * splitCsvLine('1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."') // ['1.0.0.0', '1.0.0.255', '13335', 'Cloudflare, Inc.']
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',').map((f) => f.trim());
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur.trim());
  return out;
}

/**
 * Parse the text of a range file into a lookup table. `mapRow` turns the columns after the two addresses into a
 * value, or returns a string explaining why the row is bad.
 *
 * @example
 * const { table } = parseIpRangeCsv('1.0.0.0,1.0.0.255,AU\n', 'inline', (cols) => cols[0] || 'missing country');
 * table.lookup('1.0.0.9') // 'AU'
 */
export function parseIpRangeCsv<V>(
  text: string,
  source: string,
  mapRow: (columns: string[]) => V | string,
): { table: IpRangeTable<V>; report: RangeCsvReport } {
  const ranges: Array<({ family: 4; start: number; end: number } | { family: 6; start: bigint; end: bigint }) & { value: V }> = [];
  const problems: CsvProblem[] = [];
  let badLines = 0;
  const bad = (line: number, reason: string): void => {
    badLines++;
    if (problems.length < MAX_PROBLEMS) problems.push({ line, reason });
  };
  const lines = text.split('\n');
  let sawData = false;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    line = line.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = splitCsvLine(line);
    const a = parseIp(cols[0] ?? '');
    const b = parseIp(cols[1] ?? '');
    if (!a || !b) {
      // The first non-comment line may be a header (`start_ip,end_ip,asn,name`).
      if (!sawData && !a && /[a-z]/i.test(cols[0] ?? '') && !(cols[0] ?? '').includes(':')) {
        sawData = true;
        continue;
      }
      bad(i + 1, `${!a ? 'start' : 'end'} address is not a valid IP`);
      continue;
    }
    sawData = true;
    if (a.family !== b.family) {
      bad(i + 1, 'start and end addresses are of different families');
      continue;
    }
    if (a.key > b.key) {
      bad(i + 1, 'start address is after end address');
      continue;
    }
    const value = mapRow(cols.slice(2));
    if (typeof value === 'string') {
      bad(i + 1, value);
      continue;
    }
    ranges.push(a.family === 4
      ? { family: 4, start: a.key, end: (b as { key: number }).key, value }
      : { family: 6, start: a.key, end: (b as { key: bigint }).key, value });
  }
  if (ranges.length === 0 && badLines > 0) {
    const first = problems[0]!;
    throw new Error(`${source}: no valid IP range rows (${badLines} bad lines; line ${first.line}: ${first.reason})`);
  }
  return { table: IpRangeTable.build(ranges), report: { source, ranges: ranges.length, badLines, problems } };
}

/**
 * Read and parse a range file from disk (synchronously: it is loaded once at start-up).
 *
 * @example
 * const { table, report } = loadIpRangeCsv('/etc/gridwatch/country.csv', (c) => c[0] ?? 'missing column');
 */
export function loadIpRangeCsv<V>(path: string, mapRow: (columns: string[]) => V | string): { table: IpRangeTable<V>; report: RangeCsvReport } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read IP range file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseIpRangeCsv(text, path, mapRow);
}

/** A lookup from an address to a value (ASN, country...), loaded from a range file or empty. */
export interface IpDatabase<V> {
  /** The value for `ip`, or null when unknown (no data, invalid address, or unrouted). */
  lookup(ip: string): V | null;
  /** Where the data came from (file path), null for the empty database: show it next to enriched values. */
  readonly source: string | null;
  readonly size: number;
}

/**
 * The database used when none is configured: every lookup is null.
 *
 * @example
 * emptyIpDatabase<number>().lookup('203.0.113.9') // null
 */
export function emptyIpDatabase<V>(): IpDatabase<V> {
  return Object.freeze({ lookup: () => null, source: null, size: 0 });
}
