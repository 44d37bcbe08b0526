/**
 * Exact source text of the elements of a JSON response's `entries` array.
 *
 * gridwatch stores the JSON text Slack sent for each event, byte for byte, rather than a re-serialisation (which would
 * reorder nothing but could still change number formatting, escapes and unicode). `JSON.parse` gives values, not
 * text, so this small scanner walks the body once, string- and escape-aware, and returns each element's span.
 *
 * The scanner is strict about structure (brackets, strings, separators) but does not re-validate literals: callers
 * validate the whole body with `JSON.parse` as well, so a truncated or malformed body is always detected.
 */

/** One element of the `entries` array: its exact text and its position in the array. */
export interface EntrySpan {
  raw: string;
  index: number;
}

export class JsonScanError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonScanError';
  }
}

const WS = new Set([0x20, 0x0a, 0x0d, 0x09]);

function skipWs(s: string, i: number): number {
  while (i < s.length && WS.has(s.charCodeAt(i))) i++;
  return i;
}

/** Index just past the closing quote of the string starting at `i` (which must be a `"`). */
function scanString(s: string, i: number): number {
  if (s.charCodeAt(i) !== 0x22) throw new JsonScanError('expected a string', i);
  const open = i;
  i++;
  for (;;) {
    // Jump to the next quote; it closes the string unless an odd run of backslashes precedes it.
    const q = s.indexOf('"', i);
    if (q < 0) throw new JsonScanError('unterminated string', open);
    let bs = 0;
    for (let j = q - 1; j > open && s.charCodeAt(j) === 0x5c; j--) bs++;
    if (bs % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/**
 * Index just past the JSON value starting at `i` (after whitespace). Objects and arrays are matched bracket by
 * bracket with strings skipped; scalars run to the next delimiter.
 */
export function scanValue(s: string, i: number): number {
  i = skipWs(s, i);
  if (i >= s.length) throw new JsonScanError('expected a value', i);
  const c = s.charCodeAt(i);
  if (c === 0x22) return scanString(s, i);
  if (c === 0x7b || c === 0x5b) {
    // Bracket matching with a stack so that `{]` is rejected.
    const stack: number[] = [];
    for (; i < s.length; ) {
      const ch = s.charCodeAt(i);
      if (ch === 0x22) {
        i = scanString(s, i);
        continue;
      }
      if (ch === 0x7b) stack.push(0x7d);
      else if (ch === 0x5b) stack.push(0x5d);
      else if (ch === 0x7d || ch === 0x5d) {
        if (stack.pop() !== ch) throw new JsonScanError(`unexpected '${String.fromCharCode(ch)}'`, i);
        if (stack.length === 0) return i + 1;
      }
      i++;
    }
    throw new JsonScanError('unterminated object or array', s.length);
  }
  // Scalar: number, true, false, null.
  const start = i;
  while (i < s.length) {
    const ch = s.charCodeAt(i);
    if (ch === 0x2c || ch === 0x5d || ch === 0x7d || WS.has(ch)) break;
    if (ch === 0x22 || ch === 0x7b || ch === 0x5b || ch === 0x3a) throw new JsonScanError('unexpected character', i);
    i++;
  }
  if (i === start) throw new JsonScanError('expected a value', i);
  return i;
}

/** Spans of the elements of the array starting at `i` (which must be a `[`). */
export function scanArrayElements(s: string, i: number): { spans: Array<[number, number]>; end: number } {
  i = skipWs(s, i);
  if (s.charCodeAt(i) !== 0x5b) throw new JsonScanError('expected an array', i);
  i = skipWs(s, i + 1);
  const spans: Array<[number, number]> = [];
  if (s.charCodeAt(i) === 0x5d) return { spans, end: i + 1 };
  for (;;) {
    const start = skipWs(s, i);
    const end = scanValue(s, start);
    spans.push([start, end]);
    i = skipWs(s, end);
    const ch = s.charCodeAt(i);
    if (ch === 0x2c) {
      i++;
      continue;
    }
    if (ch === 0x5d) return { spans, end: i + 1 };
    throw new JsonScanError("expected ',' or ']' in array", i);
  }
}

/**
 * The exact text of each element of the top-level object's `key` array (default `entries`).
 * Returns null when the body is an object without that key; throws `JsonScanError` when the body is not an object
 * or is structurally broken. When the key appears twice, the last one wins, as with `JSON.parse`.
 *
 * @example
 * extractArraySpans('{"entries":[{"id":"a"}, {"id":"b"}],"response_metadata":{}}')
 * // [{ raw: '{"id":"a"}', index: 0 }, { raw: '{"id":"b"}', index: 1 }]
 */
export function extractArraySpans(body: string, key = 'entries'): EntrySpan[] | null {
  let i = skipWs(body, 0);
  if (body.charCodeAt(i) === 0xfeff) i = skipWs(body, i + 1); // tolerate a BOM
  if (body.charCodeAt(i) !== 0x7b) throw new JsonScanError('expected a JSON object', i);
  i = skipWs(body, i + 1);
  let found: EntrySpan[] | null = null;
  if (body.charCodeAt(i) === 0x7d) return null;
  for (;;) {
    const kStart = i;
    const kEnd = scanString(body, kStart);
    const name = JSON.parse(body.slice(kStart, kEnd)) as string; // decodes escapes in the key
    i = skipWs(body, kEnd);
    if (body.charCodeAt(i) !== 0x3a) throw new JsonScanError("expected ':'", i);
    i = skipWs(body, i + 1);
    if (name === key && body.charCodeAt(i) === 0x5b) {
      const { spans, end } = scanArrayElements(body, i);
      found = spans.map(([a, b], index) => ({ raw: body.slice(a, b), index }));
      i = end;
    } else {
      if (name === key) found = null; // present but not an array: the caller sees "no entries array"
      i = scanValue(body, i);
    }
    i = skipWs(body, i);
    const ch = body.charCodeAt(i);
    if (ch === 0x2c) {
      i = skipWs(body, i + 1);
      continue;
    }
    if (ch === 0x7d) break;
    throw new JsonScanError("expected ',' or '}' in object", i);
  }
  if (skipWs(body, i + 1) !== body.length) throw new JsonScanError('trailing data after the JSON object', i + 1);
  return found;
}
