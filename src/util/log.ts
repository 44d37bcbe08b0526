/**
 * Structured log lines that untrusted text cannot forge. A line is a message written by the code plus named fields
 * (login names, addresses, paths, error text), never a string glued together from them. Off a terminal each line is
 * one JSON object; on a terminal it is `source: message key=value ...`. In both forms control characters (newlines
 * included), C1 controls and the invisible or bidirectional formatting characters are escaped, so a value can neither
 * start a new line nor make one read differently on screen.
 */
import type { Writable } from 'node:stream';
import { systemClock, type Clock } from './clock.ts';

export type LogValue = string | number | boolean | null | undefined;
/** Named values of one line; `undefined` ones are left out. */
export type LogFields = Readonly<Record<string, LogValue>>;
/** Write one line: a fixed message and the values it concerns. */
export type Logger = (msg: string, fields?: LogFields) => void;
export type LogFormat = 'json' | 'text';

// C0 controls and DEL, C1 controls, zero-width and direction marks, line/paragraph separators, bidi embeddings and
// isolates, word joiners and invisible operators, and the byte-order mark.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const hex4 = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Make text safe to print on one line: control and invisible formatting characters become escapes (`\n`, `\u202e`),
 * and backslashes are doubled so an escape in the input cannot pass for one made here.
 *
 * @example escapeControl('x\ngridwatch serve: login ok') // 'x\\ngridwatch serve: login ok'
 */
export function escapeControl(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(UNSAFE, (ch) => SHORT[ch] ?? hex4(ch));
}

/** A text-form value: bare when it is a plain word, else quoted with `"` and `\` escaped. */
function textValue(v: Exclude<LogValue, undefined>): string {
  if (typeof v !== 'string') return String(v);
  const safe = escapeControl(v);
  return safe !== '' && /^[\w.:@/+-]+$/.test(safe) ? safe : `"${safe.replace(/"/g, '\\"')}"`;
}

const RESERVED = new Set(['time', 'src', 'msg']);

/**
 * One formatted line (no trailing newline).
 *
 * @example formatLogLine('text', 'gridwatch serve', 'login failed', { name: 'a b', address: '127.0.0.1' }, 0)
 * // 'gridwatch serve: login failed name="a b" address=127.0.0.1'
 * @example formatLogLine('json', 'gridwatch serve', 'login failed', { name: 'x\ny' }, 0)
 * // '{"time":"1970-01-01T00:00:00.000Z","src":"gridwatch serve","msg":"login failed","name":"x\\ny"}'
 */
export function formatLogLine(format: LogFormat, source: string, msg: string, fields: LogFields = {}, nowMs = Date.now()): string {
  const entries = Object.entries(fields).filter((e): e is [string, Exclude<LogValue, undefined>] => e[1] !== undefined);
  if (format === 'json') {
    const obj: Record<string, unknown> = { time: new Date(nowMs).toISOString(), src: source, msg };
    // Field names come from the code, but a name clashing with the envelope must not replace it.
    for (const [k, v] of entries) obj[RESERVED.has(k) ? `${k}_` : k] = v;
    // JSON.stringify escapes C0 controls but leaves DEL, C1, separators and bidi characters raw: escape them too.
    return JSON.stringify(obj).replace(UNSAFE, hex4);
  }
  const parts = [`${escapeControl(source)}: ${escapeControl(msg)}`];
  for (const [k, v] of entries) parts.push(`${escapeControl(k)}=${textValue(v)}`);
  return parts.join(' ');
}

/**
 * JSON off a terminal (for log collectors), text on one (for people).
 *
 * @example logFormatFor(process.stderr) // 'json' under systemd or docker, 'text' in a terminal
 */
export function logFormatFor(stream: Writable): LogFormat {
  return (stream as Writable & { isTTY?: boolean }).isTTY ? 'text' : 'json';
}

/**
 * A logger handing each formatted line to `write`.
 *
 * @example
 * const lines: string[] = [];
 * const log = lineLogger((l) => lines.push(l), { source: 'gridwatch serve', format: 'json' });
 * log('login failed', { name, address });
 */
export function lineLogger(write: (line: string) => void, opts: { source: string; format: LogFormat; clock?: Clock }): Logger {
  const clock = opts.clock ?? systemClock;
  return (msg, fields) => write(formatLogLine(opts.format, opts.source, msg, fields, clock.now()));
}

/**
 * A logger writing lines to a stream, in the format that suits it (`logFormatFor`).
 *
 * @example
 * const log = streamLogger(process.stderr, 'gridwatch run');
 * log('collection stopped', { error: e.message });
 */
export function streamLogger(stream: Writable, source: string, clock?: Clock): Logger {
  return lineLogger((line) => stream.write(`${line}\n`), { source, format: logFormatFor(stream), clock });
}
