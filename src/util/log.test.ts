import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { escapeControl, formatLogLine, logFormatFor, streamLogger } from './log.ts';

const FORGED = 'x\ngridwatch serve: login ok for "admin1" (admin) from 10.0.0.1';

describe('log lines', () => {
  it('keeps a forged value on its own line, as a field, in both formats', () => {
    const text = formatLogLine('text', 'gridwatch serve', 'login failed', { name: FORGED, address: '127.0.0.1' }, 0);
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toBe('gridwatch serve: login failed name="x\\ngridwatch serve: login ok for \\"admin1\\" (admin) from 10.0.0.1" address=127.0.0.1');
    const json = formatLogLine('json', 'gridwatch serve', 'login failed', { name: FORGED, address: '127.0.0.1', skipped: undefined }, 0);
    expect(json.split('\n')).toHaveLength(1);
    expect(JSON.parse(json)).toEqual({ time: '1970-01-01T00:00:00.000Z', src: 'gridwatch serve', msg: 'login failed', name: FORGED, address: '127.0.0.1' });
  });

  it('escapes carriage returns, C1 controls, line separators and bidi overrides, and cannot be fooled by a typed escape', () => {
    const nasty = 'a\rb\u0085c\u2028d\u202eexe.xlsx\u0007\\n';
    const text = formatLogLine('text', 's', 'm', { v: nasty });
    expect(text).toBe('s: m v="a\\rb\\u0085c\\u2028d\\u202eexe.xlsx\\u0007\\\\n"');
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u202e]/);
    const json = formatLogLine('json', 's', 'm', { v: nasty });
    expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u202e]/);
    expect(JSON.parse(json).v).toBe(nasty);
    expect(escapeControl('tab\there')).toBe('tab\\there');
  });

  it('never lets a field replace the envelope', () => {
    const obj = JSON.parse(formatLogLine('json', 'gridwatch serve', 'real', { msg: 'fake', src: 'other' }, 0));
    expect(obj).toMatchObject({ msg: 'real', src: 'gridwatch serve', msg_: 'fake', src_: 'other' });
  });

  it('writes JSON to a pipe and text to a terminal', () => {
    const pipe = new PassThrough();
    let out = '';
    pipe.on('data', (d) => (out += d));
    streamLogger(pipe, 'gridwatch run')('collection stopped', { error: 'boom' });
    expect(JSON.parse(out.trim())).toMatchObject({ src: 'gridwatch run', msg: 'collection stopped', error: 'boom' });
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    expect(logFormatFor(tty)).toBe('text');
    expect(logFormatFor(pipe)).toBe('json');
  });
});
