/**
 * `binaryArray` against a throwaway cluster (skipped with the reason printed without PostgreSQL binaries): the bytes
 * are the server's own `array_send` of the same array, and every element comes back as sent through `unnest`, in
 * order: NULLs, empty strings, non-ASCII text, integers at the ends of each type's range and past 32 bits.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../../test/pg-cluster.ts';
import { binaryArray } from './binary-array.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: binary array parameters on PostgreSQL (${pgs.reason})`);

describe('binaryArray without a server', () => {
  it('refuses values the element type cannot hold, naming them', () => {
    expect(() => binaryArray('int4', [2 ** 31])).toThrow('not an int4: 2147483648');
    expect(() => binaryArray('int2', [1.5])).toThrow('not an int2: 1.5');
    expect(() => binaryArray('int8', [2 ** 53])).toThrow(/not an int8/);
    expect(() => binaryArray('text', [7 as unknown as string])).toThrow('not text: 7');
    expect(() => binaryArray('int8', ['12a' as unknown as number])).toThrow('not an int8: 12a');
  });
});

describe.skipIf(!pgs.ok)('binaryArray on PostgreSQL', () => {
  let cluster: PgCluster;
  let client: pg.Client;
  beforeAll(async () => {
    cluster = await startPgCluster(pgs);
    client = new pg.Client({ connectionString: await cluster.createDatabase('gw_binarr') });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await cluster?.stop();
  });

  const texts = ['plain', '', null, 'naïve ☃ 𝄞 "quoted" \\ back\\slash {braces,} NULL', 'x'.repeat(70_000), undefined];
  const int8s = [0, -1, 1, 2 ** 32, -(2 ** 32) - 7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null, 1_764_892_800_123];
  const int4s = [0, -1, 2 ** 31 - 1, -(2 ** 31), null, 42];
  const int2s = [0, -1, 2 ** 15 - 1, -(2 ** 15), null];

  it("writes the bytes of the server's own array_send", async () => {
    const cases: Array<[Parameters<typeof binaryArray>[0], unknown[], string]> = [
      ['text', texts, 'text[]'],
      ['int8', int8s, 'int8[]'],
      ['int4', int4s, 'int4[]'],
      ['int2', int2s, 'int2[]'],
      ['text', [], 'text[]'],
      ['int4', [1, 2, 3], 'int4[]'],
      // A bigint read back without a type parser is decimal text: the same integer.
      ['int8', ['1777408005', '-9007199254740991', null], 'int8[]'],
    ];
    for (const [type, values, cast] of cases) {
      // The server's encoding of the same array, from a text-format parameter (strings: the driver's array literal).
      const asText = values.map((v) => (v === undefined ? null : typeof v === 'number' ? String(v) : v));
      const mine = binaryArray(type, values as string[]);
      const { rows } = await client.query<{ b: Buffer }>(`SELECT array_send($1::${cast}) AS b`, [asText]);
      // An empty array's send has no dimension; ours has one of length 0, which array_recv reads as the same '{}'.
      if (values.length === 0) {
        const back = await client.query<{ a: string[] }>(`SELECT $1::${cast} AS a`, [mine]);
        expect(back.rows[0]!.a).toEqual([]);
      } else {
        expect(mine.equals(rows[0]!.b), `${type}: ${JSON.stringify(values).slice(0, 80)}`).toBe(true);
      }
    }
  });

  it('sends every element back as given, in order, through unnest', async () => {
    const n = texts.length;
    const { rows } = await client.query<{ t: string | null; i: string | null }>(
      'SELECT t, i FROM unnest($1::text[], $2::int8[]) AS u(t, i)',
      [binaryArray('text', texts), binaryArray('int8', int8s.slice(0, n))],
    );
    expect(rows.map((r) => r.t)).toEqual(texts.map((t) => t ?? null));
    expect(rows.map((r) => (r.i === null ? null : Number(r.i)))).toEqual(int8s.slice(0, n));
  });

  it('stores U+0000 as U+FFFD and a lone surrogate as U+FFFD instead of failing the statement', async () => {
    const { rows } = await client.query<{ t: string }>('SELECT unnest($1::text[]) AS t', [binaryArray('text', ['a\u0000b', 'c\uD800d'])]);
    expect(rows.map((r) => r.t)).toEqual(['a\uFFFDb', 'c\uFFFDd']);
  });
});
