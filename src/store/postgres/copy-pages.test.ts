/**
 * The binary COPY decoder of the PostgreSQL replay scan (copy-pages.mjs), on bytes made here in PostgreSQL's binary
 * COPY format: rows cut anywhere by chunk boundaries, NULLs, non-ASCII text, bigints past 32 bits and negative,
 * dictionary columns over one and several fields, and dictionaries that start over when they grow too large. Read
 * back as `workerPages` reads the wire pages, every value must be the one encoded. (The decoder against a real
 * server: the detection reads contract, ../detection-reads.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { wireText, type WireText } from '../sqlite/parallel-scan.ts';
import { copyPageDecoder, type CopyColumn, type CopyPage } from './copy-pages.mjs';
import { pairOf } from './detection-reads.ts';

type Value = number | string | null;
/** A column as encoded: int8/int4 numbers or text fields. */
type Field = { type: 'int8' | 'int4' | 'text' };

function copyBytes(fields: Field[], rows: Value[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from([0, 0, 0, 0])];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(fields.length);
    parts.push(count);
    row.forEach((v, f) => {
      const len = Buffer.alloc(4);
      if (v === null) {
        len.writeInt32BE(-1);
        parts.push(len);
        return;
      }
      let body: Buffer;
      if (fields[f]!.type === 'text') body = Buffer.from(String(v), 'utf8');
      else if (fields[f]!.type === 'int4') (body = Buffer.alloc(4)).writeInt32BE(v as number);
      else (body = Buffer.alloc(8)).writeBigInt64BE(BigInt(v as number));
      len.writeInt32BE(body.length);
      parts.push(len, body);
    });
  }
  parts.push(Buffer.from([0xff, 0xff]));
  return Buffer.concat(parts);
}

/** The rows of posted pages, read as `workerPages` (parallel-scan.ts) reads the wire format. */
function readPages(pages: CopyPage[], columns: CopyColumn[]): Value[][] {
  const dicts: string[][] = columns.map(() => []);
  const rows: Value[][] = [];
  for (const { message } of pages) {
    const cols = message.cols as Array<Record<string, unknown>>;
    cols.forEach((col, c) => {
      if (col.kind !== 'dict') return;
      if (col.reset) dicts[c] = [];
      dicts[c]!.push(...(col.added as string[]));
    });
    for (let i = 0; i < message.n; i++) {
      const row: Value[] = [];
      cols.forEach((col, c) => {
        if (col.kind === 'num') {
          const v = (col.values as Float64Array)[i]!;
          row.push(Number.isNaN(v) ? null : v);
        } else if (col.kind === 'text') {
          row.push(wireText(col as unknown as WireText, i));
        } else {
          const code = (col.codes as Int32Array)[i]!;
          const v = code < 0 ? null : dicts[c]![code]!;
          // Several fields travel as one JSON array: spread back into its fields.
          if (columns[c]!.fields > 1) row.push(...(JSON.parse(v!) as Value[]));
          else row.push(v);
        }
      });
      rows.push(row);
    }
  }
  return rows;
}

const FIELDS: Field[] = [{ type: 'int8' }, { type: 'text' }, { type: 'int4' }, { type: 'text' }, { type: 'text' }, { type: 'text' }, { type: 'text' }];
const COLUMNS: CopyColumn[] = [
  { kind: 'num', fields: 1 },
  { kind: 'text', fields: 1 },
  { kind: 'num', fields: 1 },
  { kind: 'dict', fields: 1 },
  { kind: 'dict', fields: 3 },
];
const ROWS: Value[][] = Array.from({ length: 23 }, (_, i) => [
  i % 5 === 0 ? 2 ** 40 + i : i % 7 === 0 ? -(2 ** 33) - i : i,
  i % 6 === 0 ? null : i % 4 === 0 ? `é-${i}-𝄞` : `id-${i}`,
  i % 9 === 0 ? null : -i,
  i % 3 === 0 ? null : `action-${i % 4}`,
  // Fields whose bytes run together the same way must still be told apart ('ab' + 'c' vs 'a' + 'bc').
  i % 2 ? 'ab' : 'a',
  i % 2 ? 'c' : 'bc',
  i % 8 === 0 ? null : `Zoë ${i % 5}`,
]);

function decode(chunkSize: number, batchSize: number, maxDictSize: number): CopyPage[] {
  const bytes = copyBytes(FIELDS, ROWS);
  const d = copyPageDecoder({ columns: COLUMNS, batchSize, maxDictSize });
  const pages: CopyPage[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize) pages.push(...d.push(bytes.subarray(at, at + chunkSize)));
  pages.push(d.end());
  return pages;
}

describe('copyPageDecoder', () => {
  it.each([1, 3, 7, 64, 100_000])('gives back every value in order with chunks of %i bytes', (chunkSize) => {
    const pages = decode(chunkSize, 4, 1000);
    expect(pages.map((p) => p.message.n)).toEqual([4, 4, 4, 4, 4, 3]);
    expect(pages.map((p) => p.message.done)).toEqual([false, false, false, false, false, true]);
    expect(readPages(pages, COLUMNS)).toEqual(ROWS);
  });

  it('sends each dictionary value once, and starts a dictionary over past its size limit', () => {
    const whole = decode(100_000, 4, 1000);
    const added = whole.flatMap((p) => (p.message.cols[4] as { added: string[] }).added);
    expect(added.sort()).toEqual(
      [...new Set(ROWS.map((r) => JSON.stringify(r.slice(4))))].sort(),
    );
    const small = decode(5, 4, 2);
    expect(small.some((p) => (p.message.cols[4] as { reset: boolean }).reset)).toBe(true);
    expect(readPages(small, COLUMNS)).toEqual(ROWS);
  });

  it('keeps a two-field text column only for the rows its condition names, as a pair that reads back exactly', () => {
    // seq, action, reasons, entity id and name (one pair column kept for downloads and logins without reasons).
    const fields: Field[] = [{ type: 'int8' }, { type: 'text' }, { type: 'text' }, { type: 'text' }, { type: 'text' }];
    const columns: CopyColumn[] = [
      { kind: 'num', fields: 1 },
      { kind: 'dict', fields: 1 },
      { kind: 'dict', fields: 1 },
      { kind: 'text', fields: 2, only: { column: 1, values: ['file_downloaded', 'user_login'], unlessColumn: 2 } },
    ];
    const actions = ['file_downloaded', 'user_login', 'anomaly', 'file_shared', null];
    const rows: Value[][] = Array.from({ length: 40 }, (_, i) => [
      i,
      actions[i % 5]!,
      i % 7 === 0 ? 'tor' : null,
      i % 6 === 0 ? null : i % 9 === 0 ? '' : `F${i}`,
      i % 4 === 0 ? null : i % 3 === 0 ? `naïve ${i} 𝄞.pdf` : `f-${i}.pdf`,
    ]);
    const want = rows.map((r) => [r[0], r[1], r[2], (r[1] === 'file_downloaded' || r[1] === 'user_login') && r[2] === null ? [r[3], r[4]] : null]);
    for (const [chunkSize, maxDictSize] of [[1, 1000], [5, 1], [100_000, 1000]] as const) {
      const bytes = copyBytes(fields, rows);
      const d = copyPageDecoder({ columns, batchSize: 6, maxDictSize });
      const pages: CopyPage[] = [];
      for (let at = 0; at < bytes.length; at += chunkSize) pages.push(...d.push(bytes.subarray(at, at + chunkSize)));
      pages.push(d.end());
      const got = readPages(pages, columns.map((c) => ({ ...c, fields: 1 }))).map((r) => [r[0], r[1], r[2], r[3] === null ? null : pairOf(r[3] as string)]);
      expect(got).toEqual(want);
    }
  });

  it('refuses a stream that ends inside a row', () => {
    const bytes = copyBytes(FIELDS, ROWS);
    const d = copyPageDecoder({ columns: COLUMNS, batchSize: 100, maxDictSize: 1000 });
    [...d.push(bytes.subarray(0, bytes.length - 10))];
    expect(() => d.end()).toThrow(/middle of a row/);
  });
});
