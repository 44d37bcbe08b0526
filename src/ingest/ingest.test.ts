import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { ingestStream } from './index.ts';

const ev = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, date_create: 1700000000, action: 'user_login', ...extra });

/** Feed a buffer in chunks of `size` bytes, to cross every boundary the splitter must handle. */
async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const tmp = tempDirs();
let store: SqliteStore;
beforeEach(async () => {
  store = await openSqliteStore(join(tmp.make('gw-ingest-'), 'test.db'));
});
afterEach(async () => store.close());

async function rawsOf(): Promise<string[]> {
  return (await store.queryEvents({})).map((e) => e.raw).sort();
}

describe('ingestStream layouts', () => {
  const events = [ev('a'), ev('b', { context: { ua: 'x [ } " \\" {' } }), ev('c', { details: { reason: ['tor'] } })];

  for (const size of [1, 7, 1 << 16]) {
    it(`JSON Lines, CRLF and blank lines, chunks of ${size}`, async () => {
      const text = `${events[0]}\r\n\n${events[1]}\n   \n${events[2]}`;
      const s = await ingestStream(chunked(Buffer.from(text), size), 't', { store });
      expect(s).toEqual({ ingested: 3, duplicates: 0, quarantined: 0 });
      expect(await rawsOf()).toEqual([...events].sort());
    });

    it(`pretty JSON array keeps each element's exact text, chunks of ${size}`, async () => {
      const text = `[\n  ${events.join(',\n  ')}\n]\n`;
      const s = await ingestStream(chunked(Buffer.from(text), size), 't', { store });
      expect(s).toEqual({ ingested: 3, duplicates: 0, quarantined: 0 });
      expect(await rawsOf()).toEqual([...events].sort());
    });

    it(`saved /logs responses, one per line and pretty-printed, chunks of ${size}`, async () => {
      const line = `{"entries":[${events[0]},${events[1]}],"response_metadata":{"next_cursor":"abc="}}`;
      const pretty = `{\n "entries": [\n  ${events[2]}\n ],\n "response_metadata": {"next_cursor": ""}\n}`;
      expect((await ingestStream(chunked(Buffer.from(line + '\n'), size), 't', { store })).ingested).toBe(2);
      expect((await ingestStream(chunked(Buffer.from(pretty), size), 't', { store })).ingested).toBe(1);
      expect(await rawsOf()).toEqual([...events].sort());
    });
  }

  it('decoded lines keep non-ASCII text exactly, skip a leading BOM, and tell an "entries" field from a saved response', async () => {
    const accents = ev('u1', { actor: { type: 'user', user: { id: 'W1', name: 'Zoë Ñúñez 🛡️' } } });
    const notWrapper = ev('u2', { details: { note: 'no "entries" here', entries: 3 } });
    const escaped = ev('u3', { context: { ua: 'Mozilla/5.0 \u00e9\n' } });
    const text = `\ufeff${accents}\r\n${notWrapper}\n${escaped}\n`;
    for (const size of [5, 1 << 16]) {
      const s = await ingestStream(chunked(Buffer.from(text), size), 't', { store });
      expect(s.quarantined).toBe(0);
    }
    expect(await rawsOf()).toEqual([accents, notWrapper, escaped].sort());
    expect((await store.getEvent('u1'))!.norm.actorName).toBe('Zoë Ñúñez 🛡️');
  });

  it('reads gzip transparently', async () => {
    const s = await ingestStream(chunked(gzipSync(Buffer.from(events.join('\n'))), 100), 't.gz', { store });
    expect(s.ingested).toBe(3);
  });

  it('counts duplicates by id, within and across imports', async () => {
    const text = [events[0], events[0], events[1]].join('\n');
    expect(await ingestStream(chunked(Buffer.from(text), 64), 't', { store })).toEqual({ ingested: 2, duplicates: 1, quarantined: 0 });
    expect(await ingestStream(chunked(Buffer.from(text), 64), 't', { store })).toEqual({ ingested: 0, duplicates: 3, quarantined: 0 });
    expect(await store.countEvents()).toBe(2);
  });
});

describe('quarantine', () => {
  // Small chunks mix decoded-text and byte paths line by line; one big chunk holds the invalid UTF-8 with the rest.
  for (const size of [13, 200, 1 << 16]) {
    it(`keeps every invalid line verbatim with its reason and position, and imports the rest, chunks of ${size}`, async () => {
      const bad = Buffer.concat([
        Buffer.from(`${ev('ok1')}\n`),
        Buffer.from('{"id": "x", "date_create": \n'), // not JSON
        Buffer.from('[1,2]\n'), // not an object
        Buffer.from('{"date_create":1,"action":"a"}\n'), // no id
        Buffer.from('{"id":"y","date_create":"1700000000","action":"a"}\n'), // date_create not an integer
        Buffer.from('{"id":"z","date_create":1.5,"action":"a"}\n'), // not an integer
        Buffer.from('{"id":"w","date_create":1}\n'), // no action
        Buffer.from('{"id":"u","date_create":1,"action":"a","x":"'),
        Buffer.from([0xff, 0xfe]), // invalid UTF-8
        Buffer.from('"}\n'),
        Buffer.from(`${ev('big', { pad: 'p'.repeat(2000) })}\n`), // over the limit below
        Buffer.from(`${ev('ok2', { brand_new_field: { nested: true }, entity: { type: 'hologram', hologram: { id: 'H1' } } })}\n`),
      ]);
      const seen: string[] = [];
      const s = await ingestStream(chunked(bad, size), 'bad.jsonl', { store, maxEventBytes: 1000, onQuarantine: (q) => seen.push(q.reason) });
      expect(s).toEqual({ ingested: 2, duplicates: 0, quarantined: 8 });
      const q = await store.listQuarantine();
      expect(q).toHaveLength(8);
      const byPos = new Map(q.map((i) => [i.position, i]));
      expect(byPos.get('line 2')!.reason).toMatch(/not JSON/);
      expect(byPos.get('line 3')!.reason).toMatch(/not a JSON object/);
      expect(byPos.get('line 4')!.reason).toMatch(/id/);
      expect(byPos.get('line 5')!.reason).toMatch(/date_create/);
      expect(byPos.get('line 6')!.reason).toMatch(/date_create/);
      expect(byPos.get('line 7')!.reason).toMatch(/action/);
      expect(byPos.get('line 8')!.reason).toBe('not valid UTF-8');
      expect(byPos.get('line 8')!.raw.includes(Buffer.from([0xff, 0xfe]))).toBe(true); // bytes kept, not replaced
      expect(byPos.get('line 9')!.reason).toMatch(/over the 1000-byte limit/);
      expect(seen).toHaveLength(8);
      // Unknown fields and entity types are valid and kept.
      const ok2 = await store.getEvent('ok2');
      expect(JSON.parse(ok2!.raw).brand_new_field).toEqual({ nested: true });
      expect(ok2!.norm.entityType).toBe('hologram');
      expect(ok2!.norm.entityId).toBe('H1');
    });
  }

  it('quarantines a truncated array tail and a garbage element but keeps the good elements', async () => {
    const text = `[${ev('a1')}, nonsense, ${ev('a2')}, {"id":"cut","date_create":1`;
    const s = await ingestStream(chunked(Buffer.from(text), 5), 'arr.json', { store });
    expect(s.ingested).toBe(2);
    expect(s.quarantined).toBe(2);
    const reasons = (await store.listQuarantine()).map((q) => q.reason).sort();
    expect(reasons[0]).toMatch(/not JSON/);
    expect(reasons[1]).toMatch(/truncated/);
  });
});


describe('long imports (background writer)', () => {
  it('gives the same figures, rows and onStored order as writing in place', async () => {
    // 1,000 lines in batches of 50: the first batch is written in place, the rest by the write worker.
    const ids = Array.from({ length: 1000 }, (_, i) => `e${i % 900}`); // the last 100 repeat earlier ids
    const lines = ids.map((id, i) => (i === 500 ? '{"broken": ' : ev(id, { context: { ip_address: `10.0.0.${i % 7}` } })));
    const stored: string[] = [];
    let opened = 0;
    const open = store.openBackgroundWriter.bind(store);
    store.openBackgroundWriter = async () => (opened++, open());
    const s = await ingestStream(chunked(Buffer.from(lines.join('\n')), 4096), 'long.jsonl', {
      store,
      batchSize: 50,
      onStored: (batch) => void stored.push(...batch),
    });
    expect(opened).toBe(1);
    expect(s).toEqual({ ingested: 899, duplicates: 100, quarantined: 1 });
    expect(await store.countEvents()).toBe(899);
    expect(stored).toEqual(ids.filter((id, i) => i !== 500 && i < 900));
    expect((await store.listQuarantine())[0]!.position).toBe('line 501');
  });

  it('reports a failed background write as an error, after what was already stored', async () => {
    let calls = 0;
    store.openBackgroundWriter = async () => ({
      append: async (batch) => {
        if (++calls === 2) throw new Error('disk full');
        return store.appendEvents([...batch]);
      },
      close: async () => {},
    });
    const text = Array.from({ length: 400 }, (_, i) => ev(`x${i}`)).join('\n');
    await expect(ingestStream(chunked(Buffer.from(text), 1000), 't', { store, batchSize: 50 })).rejects.toThrow('disk full');
    // Batch 1 in place, batch 2 in the background; batch 3 failed. Nothing after the failure is claimed stored.
    expect(await store.countEvents()).toBeGreaterThanOrEqual(50);
  });
});
