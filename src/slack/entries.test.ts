import { describe, expect, it } from 'vitest';
import { extractArraySpans, JsonScanError, scanValue } from './entries.ts';

const raws = (body: string) => extractArraySpans(body)?.map((e) => e.raw);

describe('extractArraySpans', () => {
  it('returns each element verbatim, formatting and number spelling included', () => {
    const a = '{"id":"a","date_create":1700000000,"n":1.50e2,"x":[1, 2 ,3]}';
    const b = '{ "id" : "b" ,\n  "details": {"nested": {"deeper": [ {"k": null}, true, false ]}} }';
    const body = `{"entries":[${a},\n   ${b}\n],"response_metadata":{"next_cursor":"dXNlcjpV=="}}`;
    expect(raws(body)).toEqual([a, b]);
    const spans = extractArraySpans(body)!;
    expect(spans.map((s) => s.index)).toEqual([0, 1]);
    expect(spans.map((s) => JSON.parse(s.raw))).toEqual(JSON.parse(body).entries);
  });

  it('is not fooled by brackets, quotes and escapes inside strings', () => {
    const tricky = [
      '{"id":"1","s":"a ] } [ { , : b"}',
      '{"id":"2","s":"quote \\" inside, then ] and }"}',
      '{"id":"3","s":"ends with backslash \\\\"}',
      '{"id":"4","s":"\\\\\\"x\\\\","t":"\\u005d\\u007d\\/\\b\\f\\n\\r\\t"}',
      '{"id":"5","s":"{\\"entries\\":[1,2]}"}',
    ];
    const body = `{"entries":[${tricky.join(',')}]}`;
    expect(raws(body)).toEqual(tricky);
    expect(raws(body)!.map((r) => JSON.parse(r))).toEqual(JSON.parse(body).entries);
  });

  it('keeps unicode as received: non-BMP, combining marks, escaped and raw forms', () => {
    const e1 = '{"id":"é","name":"Zoë 😀 日本語 e\u0301","esc":"\\ud83d\\ude00 \\u00e9"}';
    const e2 = '{"id":"x","ua":"Mozilla/5.0 (iPhone; CPU iPhone OS 16_4 like Mac OS X) ‮rtl‬"}';
    const body = `{"entries":[${e1},${e2}]}`;
    expect(raws(body)).toEqual([e1, e2]);
    expect(JSON.parse(raws(body)![0]!).esc).toBe('😀 é');
  });

  it('finds the top-level key wherever it is, ignoring nested and escaped look-alikes', () => {
    const body = '{"response_metadata":{"next_cursor":"","entries":["nope"]},"warning":"entries","entr\\u0069es":[{"id":"yes"}],"z":1}';
    expect(raws(body)).toEqual(['{"id":"yes"}']);
  });

  it('handles empty arrays, scalar elements and whitespace everywhere', () => {
    expect(raws('{"entries":[]}')).toEqual([]);
    expect(raws(' \n{ "entries" : [ ] , "response_metadata" : { } } \n')).toEqual([]);
    expect(raws('{"entries":[1, -2.5e-3 ,"s",true,null,[],{}]}')).toEqual(['1', '-2.5e-3', '"s"', 'true', 'null', '[]', '{}']);
  });

  it('returns null when there is no entries array', () => {
    expect(extractArraySpans('{"ok":false,"error":"invalid_auth"}')).toBeNull();
    expect(extractArraySpans('{"entries":null}')).toBeNull();
    expect(extractArraySpans('{}')).toBeNull();
  });

  it('takes the last duplicate key, like JSON.parse', () => {
    expect(raws('{"entries":[{"id":"old"}],"entries":[{"id":"new"}]}')).toEqual(['{"id":"new"}']);
  });

  it('throws on truncated or malformed bodies', () => {
    const good = '{"entries":[{"id":"a","s":"x]"},{"id":"b"}],"response_metadata":{"next_cursor":""}}';
    for (let cut = 1; cut < good.length; cut++) {
      const t = good.slice(0, cut);
      expect(() => extractArraySpans(t), `cut at ${cut}`).toThrow(JsonScanError);
    }
    expect(() => extractArraySpans('[{"id":"a"}]')).toThrow(JsonScanError);
    expect(() => extractArraySpans('{"entries":[{"id":"a"]]}')).toThrow(JsonScanError);
    expect(() => extractArraySpans('{"entries":[{"id":"a"} {"id":"b"}]}')).toThrow(JsonScanError);
    expect(() => extractArraySpans('{"entries":[]} trailing')).toThrow(JsonScanError);
  });

  it('scanValue returns the end of one value', () => {
    const s = '  {"a":"}"} ,';
    expect(s.slice(2, scanValue(s, 0))).toBe('{"a":"}"}');
  });

  it('is linear on large pages', () => {
    const ev = (i: number) => `{"id":"${i}","date_create":1700000000,"action":"user_login","context":{"ua":"Mozilla/5.0 \\"x\\" [y] {z}","ip_address":"203.0.113.${i % 250}"},"details":{"reason":["ip_address","asn"]}}`;
    const items = Array.from({ length: 20000 }, (_, i) => ev(i));
    const body = `{"entries":[${items.join(',')}],"response_metadata":{"next_cursor":"abc="}}`;
    const t0 = performance.now();
    const out = raws(body)!;
    const ms = performance.now() - t0;
    expect(out.length).toBe(20000);
    expect(out[12345]).toBe(items[12345]);
    expect(ms).toBeLessThan(2000);
  });
});
