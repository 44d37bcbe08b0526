// Rows to the scan wire format (see scan-worker.mjs for the column kinds): shared by the SQLite scan worker and the
// PostgreSQL one (postgres/scan-worker.mjs), which both post pages that `workerPages` (parallel-scan.ts) reads.
// Plain JavaScript: it runs in worker threads that do not load TypeScript.

/**
 * Encode `rows` (arrays, one value per column) as wire columns; `dicts` (one Map per dict column, null otherwise)
 * is updated in place, and a dictionary past `maxDictSize` entries starts over.
 *
 * @example const { cols, transfer } = encodePage(rows, ['num', 'dict'], [null, new Map()], 200000);
 */
export function encodePage(rows, kinds, dicts, maxDictSize) {
  const n = rows.length;
  const cols = kinds.map((kind, c) => {
    if (kind === 'num') {
      // Integers that fit 32 bits (times in seconds, sequence numbers) travel as Int32Array: read back, they are
      // small integers to V8, like the values of rows the main thread reads itself. Doubles there deoptimise code
      // that has seen only small integers.
      let small = true;
      for (let i = 0; i < n && small; i++) {
        const v = rows[i][c];
        small = typeof v === 'number' && (v | 0) === v;
      }
      const a = small ? new Int32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = rows[i][c] ?? NaN;
      return { kind, values: a };
    }
    if (kind === 'text') {
      const ends = new Int32Array(n);
      const nulls = new Uint8Array(n);
      const parts = [];
      let at = 0;
      for (let i = 0; i < n; i++) {
        const s = rows[i][c];
        if (s === null) nulls[i] = 1;
        else {
          parts.push(s);
          at += s.length;
        }
        ends[i] = at;
      }
      return { kind, text: parts.join(''), ends, nulls };
    }
    let dict = dicts[c];
    // Bound memory when a column turns out not to be low-cardinality: start the dictionary over.
    const reset = dict.size > maxDictSize;
    if (reset) dicts[c] = dict = new Map();
    const codes = new Int32Array(n);
    const added = [];
    for (let i = 0; i < n; i++) {
      const v = rows[i][c];
      if (v === null) {
        codes[i] = -1;
        continue;
      }
      let code = dict.get(v);
      if (code === undefined) {
        code = dict.size;
        dict.set(v, code);
        added.push(v);
      }
      codes[i] = code;
    }
    return { kind, codes, added, reset };
  });
  const transfer = cols.flatMap((c) => (c.kind === 'num' ? [c.values.buffer] : c.kind === 'text' ? [c.ends.buffer, c.nulls.buffer] : [c.codes.buffer]));
  return { cols, transfer };
}
