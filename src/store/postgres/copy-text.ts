/**
 * Rows in COPY's text format, streamed a chunk at a time: PostgreSQL parses and indexes one chunk while the next is
 * encoded here, so an append's JavaScript work overlaps the server's instead of preceding it.
 */
import { Readable } from 'node:stream';
import { pgText } from './read-models.ts';

/** Bytes per chunk: one socket write of a few hundred rows, small enough that the server starts early. */
const CHUNK_BYTES = 256 * 1024;

const ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const escapeChar = (ch: string) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r');

/**
 * A value in COPY's text format: `\N` for null; backslash, tab, newline and carriage return escaped. PostgreSQL text
 * cannot hold U+0000: a NUL decoded from a `\u0000` escape in a normalised column becomes U+FFFD (the raw text keeps
 * the escape, so the event itself is unchanged).
 *
 * @example copyField('a\tb') // 'a\\tb'
 */
export function copyField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number') return String(v);
  const s = pgText(v);
  return ESCAPE.test(s) ? s.replace(ESCAPES, escapeChar) : s;
}

/**
 * `n` rows as a byte stream for `COPY ... FROM STDIN`, `line(i)` giving row i's fields; encoded lazily, as the
 * connection takes them (pg-copy-streams waits for the socket to drain). Each row is one string written into the
 * chunk's buffer: joining a chunk's rows into one string first cost 3-10x more (a rope of thousands of pieces
 * flattened, then encoded).
 *
 * @example await pipeline(copyRows(2, (i) => [i, `name ${i}`]), client.query(copyFrom('COPY t (n, name) FROM STDIN')))
 */
export function copyRows(n: number, line: (i: number) => ReadonlyArray<string | number | null | undefined>): Readable {
  function* chunks(): Generator<Buffer> {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const v = line(i);
      let s = copyField(v[0]);
      for (let j = 1; j < v.length; j++) s += `\t${copyField(v[j])}`;
      s += '\n';
      // A UTF-16 code unit takes at most 3 bytes in UTF-8.
      const most = s.length * 3;
      if (at + most > buf.length) {
        if (at) yield buf.subarray(0, at);
        buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
        at = 0;
      }
      at += buf.write(s, at, 'utf8');
    }
    if (at) yield buf.subarray(0, at);
  }
  return Readable.from(chunks(), { objectMode: false });
}
