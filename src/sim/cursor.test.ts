import { describe, expect, it } from 'vitest';
import { CursorStore } from './cursor.ts';
import { createRng } from './random.ts';

describe('CursorStore', () => {
  it('issues base64 cursors with + and / that end in =, and remembers their position', () => {
    const store = new CursorStore(createRng(1));
    for (let i = 0; i < 20; i++) {
      const c = store.issue({ beforeTs: 1_700_000_000 + i }, 0);
      expect(c).toMatch(/^[A-Za-z0-9+/]+={1,2}$/);
      expect(c).toContain('+');
      expect(c).toContain('/');
      expect(store.resolve(c, 0)).toEqual({ ok: true, position: { beforeTs: 1_700_000_000 + i } });
      // The position is in the text, as in Slack's cursors: the 4 bytes after the header.
      expect(Buffer.from(c, 'base64').readUInt32BE(4)).toBe(1_700_000_000 + i);
    }
  });

  it('rejects unknown, altered and expired cursors', () => {
    const store = new CursorStore(createRng(1), 60);
    const c = store.issue({ beforeTs: 5 }, 1000);
    expect(store.resolve(c.replace(/\+/g, ' '), 1000)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.resolve('', 1000)).toEqual({ ok: false, reason: 'unknown' });
    expect(store.resolve(c, 1060).ok).toBe(true);
    expect(store.resolve(c, 1061)).toEqual({ ok: false, reason: 'expired' });
    expect(store.resolve(c, 1000)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('forgets on demand', () => {
    const store = new CursorStore(createRng(2));
    const c = store.issue({ beforeTs: 9 }, 0);
    store.forget(c);
    expect(store.resolve(c, 0).ok).toBe(false);
    expect(store.size).toBe(0);
  });
});
