import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestStream } from '../ingest/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { Store } from '../store/types.ts';
import { tempDirs } from '../util/testing-tmp.ts';
import { quarantineItem, quarantineKey, quarantineOnce } from './quarantine.ts';

const tmp = tempDirs();
let store: Store;
beforeEach(async () => {
  store = await openSqliteStore(join(tmp.make('gw-quarantine-'), 'db.sqlite'));
});
afterEach(async () => store.close());

const BAD = '{"id":"bad","action":"user_login"}';
const stored = async () => (await store.listQuarantine()).map((q) => [q.source, q.position, q.raw.toString()]).sort();

describe('quarantineOnce', () => {
  it('api: the same bytes at another page or index are the same entry, stored once, at the first position', async () => {
    const src = 'api:http://fake/audit/v1';
    const first = quarantineItem(src, 'window 1-9 page 1 entry 4', 'date_create: required', BAD);
    const again = quarantineItem(src, 'window 1-9 page 2 entry 0', 'date_create: required', BAD);
    expect(await quarantineOnce(store, [first, again], 'api', 1)).toEqual([first]);
    // A later re-read of the window.
    expect(await quarantineOnce(store, [quarantineItem(src, 'window 5-9 page 1 entry 0', 'x', BAD)], 'api', 2)).toEqual([]);
    const other = quarantineItem(src, 'window 5-9 page 1 entry 1', 'not JSON', '{"id":');
    expect(await quarantineOnce(store, [other], 'api', 3)).toEqual([other]);
    expect(await stored()).toEqual([
      [src, 'window 1-9 page 1 entry 4', BAD],
      [src, 'window 5-9 page 1 entry 1', '{"id":'],
    ]);
  });

  it('file: identical bad lines at different positions are both kept; the same file again stores neither twice', async () => {
    const items = [quarantineItem('a.jsonl', 'line 2', 'r', BAD), quarantineItem('a.jsonl', 'line 5', 'r', BAD)];
    expect(await quarantineOnce(store, items, 'file', 1)).toHaveLength(2);
    expect(await quarantineOnce(store, items, 'file', 2)).toEqual([]);
    // Another file with the same line is another place to fix.
    expect(await quarantineOnce(store, [quarantineItem('b.jsonl', 'line 2', 'r', BAD)], 'file', 3)).toHaveLength(1);
    expect(await stored()).toEqual([
      ['a.jsonl', 'line 2', BAD],
      ['a.jsonl', 'line 5', BAD],
      ['b.jsonl', 'line 2', BAD],
    ]);
  });

  it('keys: the api ignores position; the file rule cannot be fooled by moving characters between source and position', () => {
    const a = quarantineItem('s', 'p 1', 'r', BAD);
    expect(quarantineKey(a, 'api')).toBe(quarantineKey({ ...a, position: 'p 2', source: 't' }, 'api'));
    expect(quarantineKey(a, 'file')).not.toBe(quarantineKey({ ...a, position: 'p 2' }, 'file'));
    expect(quarantineKey(quarantineItem('ab', 'c', 'r', BAD), 'file')).not.toBe(quarantineKey(quarantineItem('a', 'bc', 'r', BAD), 'file'));
  });
});

describe('ingest follows the file rule', () => {
  it('imports two identical bad lines as two records, and a re-import adds none while still counting them', async () => {
    const text = `${BAD}\n{"id":"ok","date_create":1700000000,"action":"user_login"}\n${BAD}\n`;
    const run = () => ingestStream(Readable.from([Buffer.from(text)]), 'twice.jsonl', { store });
    expect(await run()).toEqual({ ingested: 1, duplicates: 0, quarantined: 2 });
    expect(await run()).toEqual({ ingested: 0, duplicates: 1, quarantined: 2 });
    expect(await stored()).toEqual([
      ['twice.jsonl', 'line 1', BAD],
      ['twice.jsonl', 'line 3', BAD],
    ]);
  });
});
