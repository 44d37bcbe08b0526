import { describe, expect, it } from 'vitest';
import { JsonLexer, JsonScanError, objectArraySpans, scanArrayElements, scanString, scanValue } from './json-spans.ts';

const texts = (s: string, spans: Array<[number, number]> | null) => spans?.map(([a, b]) => s.slice(a, b));

/** Every delimiter the lexer reports, with the text fed in the given pieces (offsets are overall). */
function delimiters(pieces: string[]): string {
  const lex = new JsonLexer();
  let out = '';
  for (const p of pieces) for (let i = lex.next(p, 0); i >= 0; i = lex.next(p, i + 1)) out += p[i];
  return out;
}

describe('strings', () => {
  it('end at the first quote not escaped by an odd run of backslashes', () => {
    const cases = ['"plain"', '"a \\" b"', '"ends with \\\\"', '"\\\\\\"x\\\\"', '"] } [ { , :"', '"\\u0022"'];
    for (const c of cases) expect(scanString(`${c},"next"`, 0), c).toBe(c.length);
  });

  it('throw on a string that never closes', () => {
    expect(() => scanString('"abc\\"', 0)).toThrow(JsonScanError);
    expect(() => scanString('abc', 0)).toThrow(/expected a string/);
  });
});

describe('scanValue', () => {
  it('matches nested brackets and skips brackets and quotes inside strings', () => {
    const v = '{"a":[1,{"b":"]}\\"[{"},[[]]],"c":{"d":{"e":"\\\\"}}}';
    expect(JSON.parse(v)).toBeTruthy();
    expect(scanValue(`  ${v} , 1`, 0)).toBe(2 + v.length);
  });

  it('ends scalars at the next delimiter or whitespace', () => {
    expect(scanValue('-1.5e3,', 0)).toBe(6);
    expect(scanValue(' true]', 0)).toBe(5);
    expect(() => scanValue('1:', 0)).toThrow(JsonScanError);
  });

  it('rejects mismatched brackets and truncation', () => {
    expect(() => scanValue('{"a":[1}]', 0)).toThrow(/unexpected '}'/);
    expect(() => scanValue('{"a":"x', 0)).toThrow(/unterminated string/);
    expect(() => scanValue('[[1]', 0)).toThrow(/unterminated object or array/);
  });
});

describe('objectArraySpans', () => {
  it('gives each element of the named array verbatim, nesting and escapes included', () => {
    const items = ['{"s":"q\\"]}"}', '[1,[2,{"x":[]}]]', '"\\\\"', '-0.5', 'null'];
    const body = `{"m":{"entries":[9]},"entries":[ ${items.join(' ,\n')} ],"z":"entries"}`;
    expect(texts(body, objectArraySpans(body, 'entries'))).toEqual(items);
    expect(texts(body, objectArraySpans(body, 'entries'))!.map((t) => JSON.parse(t))).toEqual(JSON.parse(body).entries);
  });

  it('keeps non-ASCII text as is, and gives byte offsets on a latin1 view of UTF-8', () => {
    const items = ['{"n":"Zoë 😀 日本語 e\u0301"}', '"\\ud83d\\ude00"'];
    const body = `{"entries":[${items.join(',')}]}`;
    expect(texts(body, objectArraySpans(body, 'entries'))).toEqual(items);
    const bytes = Buffer.from(body);
    const spans = objectArraySpans(bytes.toString('latin1'), 'entries')!;
    expect(spans.map(([a, b]) => bytes.subarray(a, b).toString('utf8'))).toEqual(items);
    // Invalid UTF-8 inside a string does not move the boundaries.
    const bad = Buffer.concat([Buffer.from('{"entries":[{"s":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"},2]}')]);
    const badSpans = objectArraySpans(bad.toString('latin1'), 'entries')!;
    expect(badSpans.map(([a, b]) => b - a)).toEqual([10, 1]);
  });

  it('tolerates a byte-order mark, as text or as UTF-8 bytes', () => {
    expect(texts('\ufeff{"entries":[1]}', objectArraySpans('\ufeff{"entries":[1]}', 'entries'))).toEqual(['1']);
    const bytes = Buffer.from('\ufeff {"entries":[2]}').toString('latin1');
    expect(texts(bytes, objectArraySpans(bytes, 'entries'))).toEqual(['2']);
    expect(() => objectArraySpans('\ufeff\ufeff{"entries":[]}', 'entries')).toThrow(JsonScanError);
  });

  it('decodes escaped key names and lets the last duplicate win, as JSON.parse does', () => {
    const body = '{"entries":[1],"entr\\u0069es":[2,3]}';
    expect(texts(body, objectArraySpans(body, 'entries'))).toEqual(['2', '3']);
    expect(objectArraySpans('{"entries":[1],"entries":null}', 'entries')).toBeNull();
    expect(objectArraySpans('{}', 'entries')).toBeNull();
  });

  it('throws on every truncation of a valid body', () => {
    const good = '{"entries":[{"id":"a","s":"x]\\"}"},[1,2]],"n":{"c":"é"}}';
    expect(objectArraySpans(good, 'entries')).toHaveLength(2);
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => objectArraySpans(good.slice(0, cut), 'entries'), `cut at ${cut}`).toThrow(JsonScanError);
    }
  });

  it('scanArrayElements reports the spans and the end', () => {
    expect(scanArrayElements(' [1, "a"] x', 0)).toEqual({ spans: [[2, 3], [5, 8]], end: 9 });
    expect(() => scanArrayElements('[1 2]', 0)).toThrow(/expected ',' or ']'/);
  });
});

describe('JsonLexer', () => {
  const text = '{"a":"}\\\\","b":["\\"]",{"c":"\\\\\\"{"}],"d":"é,"}';
  const whole = delimiters([text]);

  it('stops at brackets and commas outside strings only', () => {
    expect(whole).toBe('{,[,{}],}');
  });

  it('gives the same delimiters whatever the pieces, escapes split across pieces included', () => {
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        expect(delimiters([text.slice(0, a), text.slice(a, b), text.slice(b)]), `split at ${a}, ${b}`).toBe(whole);
      }
    }
    // One char at a time: every position is a boundary.
    expect(delimiters([...text])).toBe(whole);
  });

  it('remembers an open string until it closes, and forgets it on reset', () => {
    const lex = new JsonLexer();
    expect(lex.next('["ab', 1)).toBe(-1);
    expect(lex.inString).toBe(true);
    expect(lex.next('c\\', 0)).toBe(-1);
    expect(lex.next('"still",]', 0)).toBe(7);
    lex.reset();
    expect(lex.next('"x', 0)).toBe(-1);
    lex.reset();
    expect(lex.next('],"', 0)).toBe(0);
  });
});
