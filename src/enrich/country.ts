/**
 * IP → country lookup behind a small interface, like the ASN database.
 *
 * The shipped data answers by default (`packagedCountryDatabase` in packaged-data.ts); the operator may replace it
 * with a CSV of `start_ip,end_ip,country_code` ranges (the layout of the CC0/PDDL ip-location-db country exports).
 */
import { emptyIpDatabase, loadIpRangeCsv, parseIpRangeCsv, type IpDatabase, type RangeCsvReport } from './ip-range-csv.ts';

/** Anything that maps an address to an upper-case ISO 3166-1 alpha-2 country code (`'DE'`). */
export type CountryDatabase = IpDatabase<string>;

/**
 * The database used when none is configured: every lookup is null.
 *
 * @example
 * nullCountryDatabase.lookup('203.0.113.9') // null
 */
export const nullCountryDatabase: CountryDatabase = emptyIpDatabase<string>();

/** Values travel as objects because `parseIpRangeCsv` reads a string result as the reason a row is bad. */
function countryRow(cols: string[]): { cc: string } | string {
  const cc = (cols[0] ?? '').toUpperCase();
  return /^[A-Z]{2}$/.test(cc) ? { cc } : `country "${cc.slice(0, 10)}" is not a two-letter code`;
}

function build(text: string | null, path: string): CountryDatabase & { report: RangeCsvReport } {
  const { table, report } = text === null ? loadIpRangeCsv(path, countryRow) : parseIpRangeCsv(text, path, countryRow);
  return { lookup: (ip) => table.lookup(ip)?.cc ?? null, source: path, size: table.size, report };
}

/**
 * Load a country range file (`start_ip,end_ip,country_code`; optional header; IPv4 and IPv6 rows).
 *
 * @example
 * const geo = loadCountryCsv('/var/lib/gridwatch/country.csv');
 * geo.lookup('192.0.2.1') // 'ZZ' or whatever the file says
 */
export function loadCountryCsv(path: string): CountryDatabase & { report: RangeCsvReport } {
  return build(null, path);
}

/**
 * Same as `loadCountryCsv` for text in memory.
 *
 * @example
 * parseCountryCsv('192.0.2.0,192.0.2.255,nl').lookup('192.0.2.8') // 'NL'
 */
export function parseCountryCsv(text: string, source = 'inline'): CountryDatabase & { report: RangeCsvReport } {
  return build(text, source);
}
