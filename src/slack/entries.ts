/**
 * Exact source text of the elements of a JSON response's `entries` array.
 *
 * gridwatch stores the JSON text Slack sent for each event, byte for byte, rather than a re-serialisation (which would
 * reorder nothing but could still change number formatting, escapes and unicode). `JSON.parse` gives values, not
 * text, so the shared span scanner (`util/json-spans.ts`, also used by the file importer) walks the body once,
 * string- and escape-aware, and gives each element's span.
 *
 * The scanner is strict about structure (brackets, strings, separators) but does not re-validate literals: callers
 * validate the whole body with `JSON.parse` as well, so a truncated or malformed body is always detected.
 */
import { JsonScanError, objectArraySpans, scanArrayElements, scanValue } from '../util/json-spans.ts';

export { JsonScanError, scanArrayElements, scanValue };

/** One element of the `entries` array: its exact text and its position in the array. */
export interface EntrySpan {
  raw: string;
  index: number;
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
  const spans = objectArraySpans(body, key);
  return spans && spans.map(([a, b], index) => ({ raw: body.slice(a, b), index }));
}
