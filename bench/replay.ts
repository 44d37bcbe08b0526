/**
 * One replay measurement in a process of its own, as `gridwatch detect` runs it (`bench/run.ts` starts it a few
 * times): `node --import tsx bench/replay.ts STORE [--reads]` (a SQLite path or a postgres:// URL). Prints the
 * `ReplayBench` figures as JSON.
 *
 * Each run starts from the same state: the open alerts an earlier run stored are removed first (a replace of every
 * rule's alerts by nothing), outside the clock. A backend without stored alerts yet keeps them in memory.
 */
import '../src/util/v8-tuning.ts';
import { MemoryAlertStore } from '../src/alerts/memory.ts';
import type { AlertStore } from '../src/alerts/types.ts';
import { benchReplay } from '../src/detect/bench.ts';
import { openStore } from '../src/store/index.ts';

const [location, flag] = process.argv.slice(2);
if (!location) throw new Error('usage: bench/replay.ts STORE [--reads]');
const store = await openStore(location);
let alerts: AlertStore;
try {
  alerts = store.alertStore();
} catch {
  alerts = new MemoryAlertStore();
}
const rules = (await alerts.facets()).rules.map((r) => r.name);
// Every day there can be: the widest range a 32-bit day number holds (PostgreSQL stores days as integer).
if (rules.length) await alerts.replace({ rules, periodFrom: -(2 ** 31), periodTo: 2 ** 31 - 1 }, [], Date.now());
const r = await benchReplay(store, { alerts, reads: flag === '--reads' });
await store.close();
process.stdout.write(`${JSON.stringify(r)}\n`);
