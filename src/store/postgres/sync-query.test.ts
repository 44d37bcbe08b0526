/**
 * `SyncQuery` against a throwaway cluster (skipped with the reason printed without PostgreSQL binaries): a lookup
 * answers only once its own answer is there, whatever wakes the waiting thread. The detection-reads suite once failed
 * on a busy machine with "no answer from the lookup worker": a lookup's late notify woke the next one early.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTestSupport, startPgCluster, type PgCluster } from '../../../test/pg-cluster.ts';
import { SyncQuery } from './sync-query.ts';

const pgs = pgTestSupport();
if (!pgs.ok) console.warn(`skipped: blocking lookups on PostgreSQL (${pgs.reason})`);

describe.skipIf(!pgs.ok)('SyncQuery', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster(pgs);
  });
  afterAll(async () => cluster?.stop());

  it('returns each lookup its own rows while stray wake-ups keep hitting the flag it waits on', async () => {
    const q = new SyncQuery(await cluster.createDatabase('gw_syncq'));
    try {
      expect(q.rows('SELECT 0', [])).toEqual([[0]]);
      const flag = (q as unknown as { flag: Int32Array }).flag;
      // Another thread notifying the flag without end: what a late notify of the previous lookup does, all the time.
      const stray = new Worker(
        `const { workerData } = require('node:worker_threads'); const f = new Int32Array(workerData);
         for (;;) Atomics.notify(f, 0);`,
        { eval: true, workerData: flag.buffer },
      );
      try {
        for (let i = 1; i <= 300; i++) expect(q.rows('SELECT $1::int', [i])).toEqual([[i]]);
      } finally {
        await stray.terminate();
      }
    } finally {
      await q.close();
    }
  });
});
