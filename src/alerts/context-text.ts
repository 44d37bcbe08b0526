/**
 * Alert contexts carried as their JSON text between the rules and the store.
 *
 * Why: a replay builds a day's alerts (about a thousand a day at 10M events, each context a few kB of JSON: IPs, user
 * agents, downloads, related events, Slack's anomaly details) and they live until the store has written them, while
 * the scan goes on with the next day. As object graphs they were most of what each young-generation collection of
 * the main thread copied. As one string each they cost that collection almost nothing, and the store writes the text
 * it needs anyway. Whoever reads `context` still gets the object: it is parsed again on each read.
 */
import type { AlertContext } from './types.ts';

const TEXT = Symbol('alert context JSON');

type HasContext = { context: AlertContext };
type WithText = HasContext & { [TEXT]?: string };

/**
 * One getter for every object: V8 shares the hidden class of objects whose accessor is the same function (a closure
 * per object would put each in dictionary mode, about 1.5 kB an alert).
 */
function parseContext(this: WithText): AlertContext {
  return JSON.parse(this[TEXT]!) as AlertContext;
}

/**
 * A context's JSON text, as one flat string. `JSON.stringify` returns a large result as a tree of pieces (a cons
 * string), which every copy by the garbage collector walks and the store's encoder flattens again later; `Number()`
 * flattens it here, once (its value, NaN, is not used).
 *
 * @example contextText(context) // '{"summary":"Scraping suspected: ...",...}'
 */
export function contextText(context: AlertContext): string {
  const json = JSON.stringify(context);
  Number(json);
  return json;
}

/**
 * `fields` with a `context` read from `json` (parsed again on each read) and the text itself for `contextJson`.
 *
 * @example const draft = withContextText({ id, rule, ... }, contextText(context)); draft.context.summary
 */
export function withContextText<T extends object>(fields: T, json: string): T & HasContext {
  Object.defineProperty(fields, TEXT, { value: json });
  Object.defineProperty(fields, 'context', { get: parseContext, enumerable: true, configurable: true });
  return fields as T & HasContext;
}

/**
 * The JSON text of `x`'s context: the kept text, else the context serialized now.
 *
 * @example db.run('UPDATE alerts SET context = ?', contextJson(alert))
 */
export function contextJson(x: HasContext): string {
  return (x as WithText)[TEXT] ?? JSON.stringify(x.context);
}

/**
 * `fields` with the context of `source`, still as text if `source` keeps it as text (no parse).
 *
 * @example const alert = withContextOf(draft, { id: draft.id, status: 'open', ... })
 */
export function withContextOf<T extends object>(source: HasContext, fields: T): T & HasContext {
  const text = (source as WithText)[TEXT];
  return text === undefined ? Object.assign(fields, { context: source.context }) : withContextText(fields, text);
}
