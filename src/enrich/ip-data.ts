/**
 * The optional IP databases (ASN, country) opened from config, behind one object with `lookupAsn`/`lookupCountry`.
 * Either may be absent: its lookups then return null, so callers never branch on configuration.
 */
import { z } from 'zod';
import { loadAsnCsv, nullAsnDatabase, type AsnDatabase, type AsnInfo } from './asn.ts';
import { loadCountryCsv, nullCountryDatabase, type CountryDatabase } from './country.ts';
import type { RangeCsvReport } from './ip-range-csv.ts';

/** Config block (YAML `ip_data:`): paths to user-supplied range files. */
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
  /** Load reports of the files opened (for a start-up log line). */
  readonly reports: RangeCsvReport[];
}

/**
 * Open the configured databases (synchronously, once at start-up). Throws if a configured file cannot be read or
 * holds no valid row; bad rows are skipped and listed in `reports`.
 *
 * @example
 * const ipData = openIpData({ asn_csv: 'asn.csv' });
 * ipData.lookupAsn('198.51.100.7')   // { asn: 64500, name: 'Example' } or null
 * ipData.lookupCountry('198.51.100.7') // null: no country file configured
 */
export function openIpData(config: IpDataConfig = {}): IpData {
  const reports: RangeCsvReport[] = [];
  let asn: AsnDatabase = nullAsnDatabase;
  let country: CountryDatabase = nullCountryDatabase;
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
  };
}
