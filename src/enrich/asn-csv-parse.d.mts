/** One family's ranges, flat: `width` words per key (1 for IPv4, 4 for IPv6), `values[i]` an index into `asns`. */
export interface ParsedRanges {
  width: 1 | 4;
  starts: Uint32Array;
  ends: Uint32Array;
  values: Uint32Array;
}

/** Both files: distinct (asn, name) pairs as `asns[i]` and the slice of `names` ending at `nameEnds[i]`. */
export interface ParsedAsnCsvs {
  v4: ParsedRanges;
  v6: ParsedRanges;
  asns: Uint32Array;
  names: string;
  nameEnds: Uint32Array;
}

export function v6Words(text: string, out?: Uint32Array): Uint32Array | null;
export function parseAsnCsvs(v4Path: string, v6Path: string): ParsedAsnCsvs;
