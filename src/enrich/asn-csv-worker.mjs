// The shipped IP-to-ASN data parsed on a worker thread (see loadPackagedAsnInBackground in packaged-data.ts), so the
// server's thread keeps answering during the second or so it takes. Plain JavaScript: a worker does not inherit tsx.
// Posts `{ ok: true, tables }` with every typed array's buffer transferred (no copy), or `{ ok: false, error }`.
import { parentPort, workerData } from 'node:worker_threads';
import { parseAsnCsvs } from './asn-csv-parse.mjs';

try {
  const t = parseAsnCsvs(workerData.v4Path, workerData.v6Path);
  const buffers = [t.v4.starts, t.v4.ends, t.v4.values, t.v6.starts, t.v6.ends, t.v6.values, t.asns, t.nameEnds].map((a) => a.buffer);
  parentPort.postMessage({ ok: true, tables: t }, buffers);
} catch (e) {
  parentPort.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
}
