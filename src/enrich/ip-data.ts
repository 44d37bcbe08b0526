/**
 * The IP databases (ASN, country) behind one object with `lookupAsn`/`lookupCountry`. By default they are the data
 * shipped as npm dependencies (packaged-data.ts, loaded lazily on the first lookup, or on a worker thread for the
 * server); a CSV named in the config replaces the shipped data for its kind. Callers never branch on configuration.
 */
import { z } from 'zod';
import { loadAsnCsv, type AsnDatabase, type AsnInfo } from './asn.ts';
import { loadCountryCsv, type CountryDatabase } from './country.ts';
import type { RangeCsvReport } from './ip-range-csv.ts';
import { loadPackagedAsnInBackground, loadPackagedCountryInBackground, packagedAsnDatabase, packagedCountryDatabase, type WhileLoading } from './packaged-data.ts';

/** Config block (YAML `ip_data:`): paths to user-supplied range files, each replacing the shipped data of its kind. */
export const IpDataConfigSchema = z.strictObject({
  /** CSV of `start_ip,end_ip,asn,name` ranges. */
  asn_csv: z.string().min(1).optional(),
  /** CSV of `start_ip,end_ip,country_code` ranges. */
  country_csv: z.string().min(1).optional(),
});
export type IpDataConfig = z.infer<typeof IpDataConfigSchema>;

export interface IpData {
  readonly asn: AsnDatabase;
  readonly country: CountryDatabase;
  lookupAsn(ip: string | null | undefined): AsnInfo | null;
  lookupCountry(ip: string | null | undefined): string | null;
  /** The ASN data's block holding `ip` (CIDR or `first-last`); null when unknown or the data has no blocks (a configured CSV). */
  networkOf(ip: string | null | undefined): string | null;
  /** Load reports of the files opened (for a start-up log line). */
  readonly reports: RangeCsvReport[];
  /**
   * Resolves once every lookup answers from complete data: starts the shipped data's load (ASN on a worker thread,
   * country by an asynchronous read) where it is the one in use (at once otherwise). Await it before a lookup whose null would be a wrong answer.
   */
  ready(): Promise<void>;
}

/**
 * Open the databases: configured files synchronously (throws if one cannot be read or holds no valid row; bad rows
 * are skipped and listed in `reports`), the shipped data lazily on its first lookup. `whileLoading: 'unknown'` (the
 * server) makes shipped-data lookups answer null until `ready()` resolves instead of loading on the caller's thread.
 *
 * @example
 * const ipData = openIpData({ asn_csv: 'asn.csv' });
 * ipData.lookupAsn('198.51.100.7')   // { asn: 64500, name: 'Example' } or null: from asn.csv
 * ipData.lookupCountry('1.1.1.1')    // 'AU': no country file configured, so the shipped data answers
 */
export function openIpData(config: IpDataConfig = {}, opts: { whileLoading?: WhileLoading } = {}): IpData {
  const reports: RangeCsvReport[] = [];
  let asn: AsnDatabase = packagedAsnDatabase(opts);
  let country: CountryDatabase = packagedCountryDatabase(opts);
  if (config.asn_csv) {
    const db = loadAsnCsv(config.asn_csv);
    reports.push(db.report);
    asn = db;
  }
  if (config.country_csv) {
    const db = loadCountryCsv(config.country_csv);
    reports.push(db.report);
    country = db;
  }
  return {
    asn,
    country,
    reports,
    lookupAsn: (ip) => (ip ? asn.lookup(ip) : null),
    lookupCountry: (ip) => (ip ? country.lookup(ip) : null),
    networkOf: (ip) => (ip && asn.network ? asn.network(ip) : null),
    ready: async () => {
      await Promise.all([config.asn_csv ? null : loadPackagedAsnInBackground(), config.country_csv ? null : loadPackagedCountryInBackground()]);
    },
  };
}
