// Pretty-prints the exact JSON text Slack sent: literals (large numbers, escapes) are shown as received, never
// re-serialised. Fields at the given paths (`details.reason`, `context.ua`) are highlighted. Everything is rendered
// as React text nodes, so a hostile file name or user agent cannot become markup.
// String literals and keys go through SafeText: a U+202E in a file name must not reorder the line it is on.
import type { ReactNode } from 'react';
import { SafeText } from './SafeText.tsx';

type Node =
  | { kind: 'obj'; entries: Array<{ key: string; keyRaw: string; value: Node }> }
  | { kind: 'arr'; items: Node[] }
  | { kind: 'lit'; text: string; type: 'string' | 'number' | 'literal' };

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  ws() {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }
  string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) throw new Error('unterminated string');
    this.i++;
    return this.s.slice(start, this.i);
  }
  value(): Node {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const entries: Array<{ key: string; keyRaw: string; value: Node }> = [];
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        return { kind: 'obj', entries };
      }
      for (;;) {
        this.ws();
        if (this.s[this.i] !== '"') throw new Error('expected a key');
        const keyRaw = this.string();
        this.ws();
        if (this.s[this.i++] !== ':') throw new Error('expected ":"');
        entries.push({ key: JSON.parse(keyRaw) as string, keyRaw, value: this.value() });
        this.ws();
        const d = this.s[this.i++];
        if (d === '}') return { kind: 'obj', entries };
        if (d !== ',') throw new Error('expected "," or "}"');
      }
    }
    if (c === '[') {
      this.i++;
      const items: Node[] = [];
      this.ws();
      if (this.s[this.i] === ']') {
        this.i++;
        return { kind: 'arr', items };
      }
      for (;;) {
        items.push(this.value());
        this.ws();
        const d = this.s[this.i++];
        if (d === ']') return { kind: 'arr', items };
        if (d !== ',') throw new Error('expected "," or "]"');
      }
    }
    if (c === '"') return { kind: 'lit', text: this.string(), type: 'string' };
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) throw new Error(`unexpected character at ${this.i}`);
    this.i += m[0].length;
    return { kind: 'lit', text: m[0], type: /\d/.test(m[0][0]!) || m[0][0] === '-' ? 'number' : 'literal' };
  }
}

function parse(raw: string): Node | null {
  try {
    const p = new Parser(raw);
    const v = p.value();
    p.ws();
    return p.i === raw.length ? v : null;
  } catch {
    return null;
  }
}

/** The exact text, indented by two spaces (what the Copy button copies). */
export function prettyJson(raw: string): string {
  const node = parse(raw);
  if (!node) return raw;
  const out = (n: Node, ind: string): string => {
    if (n.kind === 'lit') return n.text;
    const inner = `${ind}  `;
    if (n.kind === 'arr') return n.items.length ? `[\n${n.items.map((x) => inner + out(x, inner)).join(',\n')}\n${ind}]` : '[]';
    return n.entries.length ? `{\n${n.entries.map((e) => `${inner}${e.keyRaw}: ${out(e.value, inner)}`).join(',\n')}\n${ind}}` : '{}';
  };
  return out(node, '');
}

function render(n: Node, ind: string, path: string, hl: ReadonlySet<string>): ReactNode {
  if (n.kind === 'lit') return <span className={`jv-${n.type}`}>{n.type === 'string' ? <SafeText text={n.text} /> : n.text}</span>;
  const inner = `${ind}  `;
  const open = n.kind === 'arr' ? '[' : '{';
  const close = n.kind === 'arr' ? ']' : '}';
  const children = n.kind === 'arr' ? n.items.map((v, i) => ({ label: null as string | null, key: String(i), value: v })) : n.entries.map((e) => ({ label: e.keyRaw, key: e.key, value: e.value }));
  if (!children.length) return `${open}${close}`;
  return (
    <>
      {open}
      {'\n'}
      {children.map((c, i) => {
        const p = path ? `${path}.${c.key}` : c.key;
        const body = (
          <>
            {c.label !== null && (
              <span className="jv-key">
                <SafeText text={c.label} />
              </span>
            )}
            {c.label !== null && ': '}
            {render(c.value, inner, p, hl)}
          </>
        );
        return (
          <span key={i}>
            {inner}
            {hl.has(p) ? <mark className="jv-hl" data-path={p} title="this field made the rule fire">{body}</mark> : body}
            {i < children.length - 1 ? ',' : ''}
            {'\n'}
          </span>
        );
      })}
      {ind}
      {close}
    </>
  );
}

export function JsonView(props: { raw: string; highlight?: string[] }) {
  const node = parse(props.raw);
  const hl = new Set(props.highlight ?? []);
  return <pre className="json-view" data-testid="raw-json">{node ? render(node, '', '', hl) : <SafeText text={props.raw} />}</pre>;
}
