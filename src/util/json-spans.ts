/**
 * The one JSON span scanner: where values start and end in JSON text, without parsing them.
 *
 * gridwatch keeps the exact text of each event (byte for byte, never a re-serialisation), so the Slack client
 * (`slack/entries.ts`, one response body) and the file importer (`ingest/split.ts`, a stream of chunks) both need
 * value spans, and both get them here. Everything works on a JS string of code units: decoded text, or bytes viewed
 * as latin1 (`buf.toString('latin1')`, one char per byte). Every character JSON's structure uses is ASCII, and UTF-8
 * never puts an ASCII byte inside a multi-byte sequence, so offsets in a latin1 view are byte offsets and invalid
 * UTF-8 cannot confuse the scan.
 *
 * Speed: string contents are skipped with native `indexOf('"')` (the bulk of an event is strings), and outside strings
 * a tight loop looks only for the delimiters `{ } [ ] ,`.
 */

export class JsonScanError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonScanError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;

/** JSON whitespace (space, LF, CR, tab). */
export const isJsonWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index of the first non-whitespace code unit at or after `i` (or `s.length`). */
export function skipWs(s: string, i: number): number {
  while (i < s.length && isJsonWs(s.charCodeAt(i))) i++;
  return i;
}

/**
 * A resumable walk over JSON text that stops at each delimiter (`{ } [ ] ,`) outside strings. Text may arrive in
 * pieces: a piece that ends inside a string leaves `inString` set and the next `next()` call continues the string,
 * escapes included.
 *
 * @example
 * const lex = new JsonLexer();
 * lex.next('{"a":"]"}', 1) // 8: the closing '}', the ']' inside the string skipped
 */
export class JsonLexer {
  /** The last piece ended inside a string. */
  inString = false;
  /** Where that string opened, in the piece it opened in (for error offsets). */
  stringStart = -1;
  /** The last piece ended inside a string after an odd run of backslashes (so its first char is escaped). */
  private escaped = false;

  /** Index of the next delimiter at or after `i` outside strings, or -1 when the piece ends first. */
  next(s: string, i: number): number {
    if (this.inString) {
      const end = stringEnd(s, i, this.escaped);
      if (end < 0) {
        this.escaped = oddBackslashesBefore(s, s.length, i, this.escaped);
        return -1;
      }
      this.inString = false;
      i = end;
    }
    const r = nextDelimiter(s, i, true);
    if (r < -1) {
      this.inString = true;
      this.stringStart = -2 - r;
      this.escaped = oddBackslashesBefore(s, s.length, this.stringStart + 1, false);
      return -1;
    }
    return r;
  }

  /** Forget any open string (end of input, or a fresh start). */
  reset(): void {
    this.inString = false;
    this.escaped = false;
    this.stringStart = -1;
  }
}

/** Is `s[at]` escaped: an odd run of backslashes right before it, counting the carried parity if the run reaches `lo`? */
function oddBackslashesBefore(s: string, at: number, lo: number, carry: boolean): boolean {
  let j = at - 1;
  while (j >= lo && s.charCodeAt(j) === BACKSLASH) j--;
  const run = at - 1 - j + (j < lo && carry ? 1 : 0);
  return run % 2 === 1;
}

/**
 * Index of the next bracket (and comma, if `commas`) at or after `i` outside strings in a complete piece of text: -1
 * when `s` ends outside a string, `-2 - open` when it ends inside the string whose quote is at `open`. The hot loop of
 * every scan here (a plain function, so callers inline it; bracket matching skips commas rather than stop at each).
 */
function nextDelimiter(s: string, i: number, commas: boolean): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(s, i + 1, false);
      if (end < 0) return -2 - i;
      i = end;
      continue;
    }
    // '{' '[' and '}' ']' differ from each other only in bit 0x20.
    const f = c | 0x20;
    if (f === OPEN_OBJ || f === CLOSE_OBJ || (c === COMMA && commas)) return i;
    i++;
  }
  return -1;
}

/**
 * Index just past the closing quote of a string whose content starts at `lo`, or -1 when `s` ends first.
 * `carry`: the content began in an earlier piece that ended after an odd run of backslashes.
 */
function stringEnd(s: string, lo: number, carry: boolean): number {
  for (let from = lo; ; ) {
    // Jump to the next quote; it closes the string unless an odd run of backslashes precedes it.
    const q = s.indexOf('"', from);
    if (q < 0) return -1;
    if (!oddBackslashesBefore(s, q, lo, carry)) return q + 1;
    from = q + 1;
  }
}

/** Index just past the closing quote of the string starting at `i` (which must be a `"`). */
export function scanString(s: string, i: number): number {
  if (s.charCodeAt(i) !== QUOTE) throw new JsonScanError('expected a string', i);
  const end = stringEnd(s, i + 1, false);
  if (end < 0) throw new JsonScanError('unterminated string', i);
  return end;
}

/**
 * Index just past the JSON value starting at `i` (after whitespace). Objects and arrays are matched bracket by
 * bracket (with a stack, so `{]` is rejected) and strings skipped; scalars run to the next delimiter. Literals are not
 * re-validated: callers `JSON.parse` the text as well.
 *
 * @example
 * scanValue('  {"a":"}"} ,', 0) // 11
 */
export function scanValue(s: string, i: number): number {
  i = skipWs(s, i);
  if (i >= s.length) throw new JsonScanError('expected a value', i);
  const c = s.charCodeAt(i);
  if (c === QUOTE) return scanString(s, i);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    const stack: number[] = [];
    for (;;) {
      i = nextDelimiter(s, i, false);
      if (i < 0) {
        if (i < -1) throw new JsonScanError('unterminated string', -2 - i);
        throw new JsonScanError('unterminated object or array', s.length);
      }
      const ch = s.charCodeAt(i);
      if (ch === OPEN_OBJ) stack.push(CLOSE_OBJ);
      else if (ch === OPEN_ARR) stack.push(CLOSE_ARR);
      else {
        if (stack.pop() !== ch) throw new JsonScanError(`unexpected '${String.fromCharCode(ch)}'`, i);
        if (stack.length === 0) return i + 1;
      }
      i++;
    }
  }
  // Scalar: number, true, false, null.
  const start = i;
  while (i < s.length) {
    const ch = s.charCodeAt(i);
    if (ch === COMMA || ch === CLOSE_ARR || ch === CLOSE_OBJ || isJsonWs(ch)) break;
    if (ch === QUOTE || ch === OPEN_OBJ || ch === OPEN_ARR || ch === COLON) throw new JsonScanError('unexpected character', i);
    i++;
  }
  if (i === start) throw new JsonScanError('expected a value', i);
  return i;
}

/**
 * Spans of the elements of the array starting at `i` (which must be a `[`, after whitespace).
 *
 * @example
 * scanArrayElements('[1, "a"]', 0) // { spans: [[1, 2], [4, 7]], end: 8 }
 */
export function scanArrayElements(s: string, i: number): { spans: Array<[number, number]>; end: number } {
  i = skipWs(s, i);
  if (s.charCodeAt(i) !== OPEN_ARR) throw new JsonScanError('expected an array', i);
  i = skipWs(s, i + 1);
  const spans: Array<[number, number]> = [];
  if (s.charCodeAt(i) === CLOSE_ARR) return { spans, end: i + 1 };
  for (;;) {
    const start = skipWs(s, i);
    const end = scanValue(s, start);
    spans.push([start, end]);
    i = skipWs(s, end);
    const ch = s.charCodeAt(i);
    if (ch === COMMA) {
      i++;
      continue;
    }
    if (ch === CLOSE_ARR) return { spans, end: i + 1 };
    throw new JsonScanError("expected ',' or ']' in array", i);
  }
}

/** Length of a byte-order mark at `i`: U+FEFF in decoded text, or EF BB BF in a latin1 view of UTF-8 bytes. */
function bomLength(s: string, i: number): number {
  if (s.charCodeAt(i) === 0xfeff) return 1;
  if (s.charCodeAt(i) === 0xef && s.charCodeAt(i + 1) === 0xbb && s.charCodeAt(i + 2) === 0xbf) return 3;
  return 0;
}

/**
 * Spans of the elements of the top-level object's `key` array (`key` is ASCII). Returns null when the text is an
 * object without that key as an array; throws `JsonScanError` when it is not an object or is structurally broken
 * (truncation included). When the key appears twice the last one wins, and escaped key names are decoded, as with
 * `JSON.parse`. A leading byte-order mark is tolerated.
 *
 * @example
 * objectArraySpans('{"entries":[{"id":"a"}, 2]}', 'entries') // [[12, 22], [24, 25]]
 */
export function objectArraySpans(s: string, key: string): Array<[number, number]> | null {
  let i = skipWs(s, 0);
  const bom = bomLength(s, i);
  if (bom) i = skipWs(s, i + bom);
  if (s.charCodeAt(i) !== OPEN_OBJ) throw new JsonScanError('expected a JSON object', i);
  i = skipWs(s, i + 1);
  let found: Array<[number, number]> | null = null;
  if (s.charCodeAt(i) === CLOSE_OBJ) return null;
  for (;;) {
    const kStart = i;
    const kEnd = scanString(s, kStart);
    const name = JSON.parse(s.slice(kStart, kEnd)) as string; // decodes escapes in the key
    i = skipWs(s, kEnd);
    if (s.charCodeAt(i) !== COLON) throw new JsonScanError("expected ':'", i);
    i = skipWs(s, i + 1);
    if (name === key && s.charCodeAt(i) === OPEN_ARR) {
      const r = scanArrayElements(s, i);
      found = r.spans;
      i = r.end;
    } else {
      if (name === key) found = null; // present but not an array: the caller sees "no such array"
      i = scanValue(s, i);
    }
    i = skipWs(s, i);
    const ch = s.charCodeAt(i);
    if (ch === COMMA) {
      i = skipWs(s, i + 1);
      continue;
    }
    if (ch === CLOSE_OBJ) break;
    throw new JsonScanError("expected ',' or '}' in object", i);
  }
  if (skipWs(s, i + 1) !== s.length) throw new JsonScanError('trailing data after the JSON object', i + 1);
  return found;
}
