/**
 * One replay measurement in a process of its own, as `gridwatch detect` runs it (`bench/run.ts` starts it a few
 * times): `node --import tsx bench/replay.ts DB [--reads]`. Prints the `ReplayBench` figures as JSON.
 *
 * Each run starts from the same state: the alerts an earlier run stored are deleted first, outside the clock.
 */
import '../src/util/v8-tuning.ts';
import { alertStoreFor } from '../src/cli/compose.ts';
import { benchReplay } from '../src/detect/bench.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

const [dbPath, flag] = process.argv.slice(2);
if (!dbPath) throw new Error('usage: bench/replay.ts DB [--reads]');
const store = await openSqliteStore(dbPath);
store.db.exec('DELETE FROM alerts');
const r = await benchReplay(store, { alerts: alertStoreFor(store), reads: flag === '--reads' });
await store.close();
process.stdout.write(`${JSON.stringify(r)}\n`);
