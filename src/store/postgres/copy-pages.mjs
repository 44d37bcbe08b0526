// PostgreSQL's binary COPY output to the scan page wire format (the column kinds of sqlite/scan-worker.mjs, read by
// `workerPages` in sqlite/parallel-scan.ts), decoded straight from the bytes: the PostgreSQL scan worker
// (scan-worker.mjs) feeds it the COPY stream's chunks, which may cut a row anywhere.
//
// Why our own decoding: through a cursor, the driver made a JavaScript string of every field of every row, which cost
// more than the rules. Here a 'dict' column (which may span several adjacent fields: actor, IP, user agent, name,
// e-mail) is looked up by its bytes as a one-byte string (a copy, no UTF-8 decoding); only a value not seen before
// is decoded. A 'text' column's fields of a page are decoded as one string. Numbers are bigint or integer fields.
//
// Plain JavaScript: it runs in a worker thread, which does not load TypeScript.
import { isAscii } from 'node:buffer';

/**
 * The signed 32-bit big-endian integer at `p` (a field's length word, -1 for NULL). Inline byte arithmetic: the
 * Buffer method validates its offset on every call, and a scan makes about fifteen calls a row.
 */
const int32At = (buf, p) => (buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3];

/** Binary COPY header at `p`: 11-byte signature, flags, extension length and extension. Its length, or -1 if not all
 * before `end`. */
function headerLength(buf, p, end) {
  if (end - p < 19) return -1;
  const ext = int32At(buf, p + 15);
  return end - p < 19 + ext ? -1 : 19 + ext;
}

/** What `push` returns when no page filled up: one shared empty array (push runs once per row). */
const NO_PAGES = Object.freeze([]);

/** Bytes of the tuple at `p` (field count first), or -1 when it is not all before `end` yet; 2 for the trailer. */
function tupleLength(buf, p, end) {
  if (p + 2 > end) return -1;
  const fields = ((buf[p] << 24) >> 16) | buf[p + 1];
  if (fields < 0) return 2;
  let q = p + 2;
  for (let f = 0; f < fields; f++) {
    if (q + 4 > end) return -1;
    const len = int32At(buf, q);
    q += 4 + (len > 0 ? len : 0);
  }
  return q > end ? -1 : q - p;
}

/** A dictionary value not seen before: the field's text, or a JSON array of the fields' texts for several. */
function dictValue(buf, start, fields) {
  const values = [];
  let p = start;
  for (let f = 0; f < fields; f++) {
    const len = int32At(buf, p);
    p += 4;
    values.push(len < 0 ? null : buf.toString('utf8', p, p + len));
    if (len > 0) p += len;
  }
  return fields === 1 ? values[0] : JSON.stringify(values);
}

/**
 * A decoder of one COPY stream. `columns`: [{ kind: 'num' | 'text' | 'dict', fields, only? }] in SELECT order ('dict'
 * may span several fields; 'text' one, or two as a pair: `pairOf` in postgres/detection-reads.ts; 'num' one). A text
 * column with `only: { column, values, unlessColumn? }` is kept for the rows whose dictionary column `column` holds
 * one of `values` (and whose `unlessColumn` is NULL), NULL for the others: the server sends the fields of every row,
 * which costs it less than a CASE per row (10M events: 5 s of its CPU). `push(buf, start, end)` takes the next bytes
 * of the stream (by default all of `buf`; rows may be cut anywhere) and returns the pages that filled up ({ message,
 * transfer }: what to post), usually none; `end()` gives the last page (done: true), possibly empty.
 *
 * @example
 * const d = copyPageDecoder({ columns: [{ kind: 'num', fields: 1 }], batchSize: 10000, maxDictSize: 200000 });
 * copyOut(client, copySql, (buf, s, e) => { for (const p of d.push(buf, s, e)) port.postMessage(p.message, p.transfer); });
 * const last = d.end();
 */
export function copyPageDecoder({ columns, batchSize, maxDictSize }) {
  const dicts = columns.map((c) => (c.kind === 'dict' ? new Map() : null));
  // A text column kept only for some rows (`only`): per dictionary code of the column it looks at, whether rows with
  // that value keep it (decided once per new value).
  const onlyValues = columns.map((c) => (c.only ? new Set(c.only.values) : null));
  const keeps = columns.map((c) => (c.only ? [] : null));
  /** Text columns to tell when column `c` gets a new dictionary value. */
  const watchers = columns.map((_, c) => columns.flatMap((t, k) => (t.only?.column === c ? [k] : [])));
  /** Each text column's byte buffer, reused page after page (a page's bytes travel as a right-sized copy). */
  const textBuffers = columns.map(() => null);
  const newPage = () => ({
    n: 0,
    cols: columns.map((c, k) => {
      if (c.kind === 'num') return { values: new Float64Array(batchSize), small: true };
      if (c.kind === 'text') return { bytes: textBuffers[k] ?? Buffer.allocUnsafe(batchSize * 48), at: 0, byteEnds: new Int32Array(batchSize), nulls: new Uint8Array(batchSize) };
      return { codes: new Int32Array(batchSize), added: [], reset: false };
    }),
  });
  let page = newPage();
  let rest = null;
  let headerDone = false;
  let trailer = false;

  /** Does text column `c` keep row `i` (its `only` condition, on columns decoded before it in the row)? */
  function kept(only, c, i) {
    const code = page.cols[only.column].codes[i];
    if (code < 0 || !keeps[c][code]) return false;
    return only.unlessColumn === undefined || page.cols[only.unlessColumn].codes[i] === -1;
  }

  /** Room for `len` more bytes in a text column's buffer. */
  function reserve(col, len) {
    if (col.at + len <= col.bytes.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(col.bytes.length * 2, col.at + len));
    col.bytes.copy(bigger, 0, 0, col.at);
    col.bytes = bigger;
  }

  /** Copy one field's bytes (short ones byte by byte: Buffer#copy makes a view of the source per call). */
  function copyBytes(col, buf, p, len) {
    if (len < 128) {
      const dst = col.bytes;
      const at = col.at;
      for (let k = 0; k < len; k++) dst[at + k] = buf[p + k];
    } else buf.copy(col.bytes, col.at, p, p + len);
    col.at += len;
  }

  /**
   * Two fields as one text value (`pairOf` reads it): a flag letter ('a' plus 1 if the first is NULL, plus 2 if the
   * second is), the first field, a NUL (PostgreSQL text never holds one), the second field. No string is made here.
   */
  function addPair(col, buf, p) {
    const len1 = int32At(buf, p);
    const p2 = p + 4 + (len1 > 0 ? len1 : 0);
    const len2 = int32At(buf, p2);
    const b1 = len1 > 0 ? len1 : 0;
    const b2 = len2 > 0 ? len2 : 0;
    reserve(col, b1 + b2 + 2);
    col.bytes[col.at++] = 97 + (len1 < 0 ? 1 : 0) + (len2 < 0 ? 2 : 0);
    copyBytes(col, buf, p + 4, b1);
    col.bytes[col.at++] = 0;
    copyBytes(col, buf, p2 + 4, b2);
    return p2 + 4 + b2;
  }

  /** Decode one tuple whose bytes are all in `buf`, from `p` (after the field count), into the page. */
  function addRow(buf, p) {
    const i = page.n++;
    for (let c = 0; c < columns.length; c++) {
      const spec = columns[c];
      const col = page.cols[c];
      if (spec.kind === 'num') {
        const len = int32At(buf, p);
        p += 4;
        let v = NaN;
        if (len === 8) v = int32At(buf, p) * 4294967296 + (int32At(buf, p + 4) >>> 0);
        else if (len === 4) v = int32At(buf, p);
        if (len > 0) p += len;
        col.values[i] = v;
        if (col.small && (v | 0) !== v) col.small = false;
      } else if (spec.kind === 'text') {
        if (spec.only && !kept(spec.only, c, i)) {
          for (let f = 0; f < spec.fields; f++) {
            const len = int32At(buf, p);
            p += 4 + (len > 0 ? len : 0);
          }
          col.nulls[i] = 1;
          col.byteEnds[i] = col.at;
          continue;
        }
        if (spec.fields === 2) {
          p = addPair(col, buf, p);
          col.byteEnds[i] = col.at;
          continue;
        }
        const len = int32At(buf, p);
        p += 4;
        if (len < 0) col.nulls[i] = 1;
        else {
          reserve(col, len);
          copyBytes(col, buf, p, len);
          p += len;
        }
        col.byteEnds[i] = col.at;
      } else {
        const start = p;
        let isNull = false;
        for (let f = 0; f < spec.fields; f++) {
          const len = int32At(buf, p);
          p += 4;
          if (len > 0) p += len;
          else if (len < 0 && spec.fields === 1) isNull = true;
        }
        if (isNull) {
          col.codes[i] = -1;
          continue;
        }
        // The bytes with their length words: one key per distinct combination of the fields, never ambiguous.
        const key = buf.latin1Slice(start, p);
        const dict = dicts[c];
        let code = dict.get(key);
        if (code === undefined) {
          code = dict.size;
          dict.set(key, code);
          const value = dictValue(buf, start, spec.fields);
          col.added.push(value);
          for (const k of watchers[c]) keeps[k][code] = onlyValues[k].has(value);
        }
        col.codes[i] = code;
      }
    }
  }

  /** The page in the wire format, with the buffers to transfer; a new page is started. */
  function wirePage(done) {
    const n = page.n;
    const transfer = [];
    const cols = page.cols.map((col, c) => {
      const kind = columns[c].kind;
      if (kind === 'num') {
        // Small integers travel as Int32Array (why: sqlite/scan-columns.mjs). A loop: Int32Array.from iterates.
        let values;
        if (col.small) {
          values = new Int32Array(n);
          for (let i = 0; i < n; i++) values[i] = col.values[i];
        } else values = col.values.slice(0, n);
        transfer.push(values.buffer);
        return { kind, values };
      }
      if (kind === 'text') {
        // The bytes themselves travel (transferred, not copied again), and the consumer makes a string of a row only
        // when it reads one (`wireText`): most rows' ids and entities are never read, and a page's joined text was
        // a large string on each side, copied again by the consumer's young-generation collections.
        const bytes = new Uint8Array(col.at);
        bytes.set(col.bytes.subarray(0, col.at));
        textBuffers[c] = col.bytes;
        const ends = col.byteEnds.slice(0, n);
        const nulls = col.nulls.slice(0, n);
        transfer.push(bytes.buffer, ends.buffer, nulls.buffer);
        return { kind, bytes, ascii: isAscii(bytes), ends, nulls };
      }
      const codes = col.codes.slice(0, n);
      transfer.push(codes.buffer);
      return { kind, codes, added: col.added, reset: col.reset };
    });
    page = newPage();
    // Bound memory when a column turns out not to be low-cardinality: its dictionary starts over with the next page.
    dicts.forEach((d, c) => {
      if (d && d.size > maxDictSize) {
        dicts[c] = new Map();
        page.cols[c].reset = true;
        for (const k of watchers[c]) keeps[k] = [];
      }
    });
    return { message: { n, cols, done }, transfer };
  }

  return {
    push(chunk, start = 0, end = chunk.length) {
      let buf = chunk;
      let p = start;
      let stop = end;
      if (rest) {
        buf = Buffer.concat([rest, chunk.subarray(start, end)]);
        rest = null;
        p = 0;
        stop = buf.length;
      }
      let pages = NO_PAGES;
      if (!headerDone) {
        const h = headerLength(buf, p, stop);
        if (h < 0) {
          rest = Buffer.from(buf.subarray(p, stop));
          return pages;
        }
        headerDone = true;
        p += h;
      }
      while (!trailer) {
        const len = tupleLength(buf, p, stop);
        if (len < 0) break;
        p += len;
        if (len === 2) trailer = true;
        else {
          addRow(buf, p - len + 2);
          if (page.n === batchSize) (pages === NO_PAGES ? (pages = []) : pages).push(wirePage(false));
        }
      }
      // A copy: the caller may reuse its bytes (a row cut across chunks is rare: the server sends one row a message).
      if (p < stop && !trailer) rest = Buffer.from(buf.subarray(p, stop));
      return pages;
    },
    end() {
      if (rest || !trailer) throw new Error('the COPY stream ended in the middle of a row');
      return wirePage(true);
    },
  };
}
