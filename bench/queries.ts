import type { EventQuery, Store } from '../src/store/types.ts';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p50/p95 latency (ms) of one page (100 events, newest first) for a set of typical investigation filters. */
export async function benchQueries(store: Store, runs = 30) {
  const sample = await store.queryEvents({ limit: 1 });
  const e = sample[0]!.norm;
  const anomaly = (await store.queryEvents({ actions: ['anomaly'], limit: 1 }))[0]?.norm;
  const cases: Array<[string, EventQuery]> = [
    ['no filter', {}],
    ['action=file_downloaded', { actions: ['file_downloaded'] }],
    ['action=anomaly', { actions: ['anomaly'] }],
    ['actor', { actor: e.actorId! }],
    ['actor + action', { actor: e.actorId!, actions: ['file_downloaded'] }],
    ['ip', { ip: e.ip! }],
    ['session', { session: e.sessionId! }],
    ['entity', { entity: e.entityId! }],
    ['reason', { reason: anomaly?.reasons[0] ?? 'tor' }],
    ['last 24h', { since: e.ts - 86400 }],
    ['rare action (none)', { actions: ['role_change_to_owner'] }],
  ];
  const out: Record<string, { p50: number; p95: number }> = {};
  for (const [name, q] of cases) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await store.queryEvents({ ...q, limit: 100 });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out[name] = { p50: +percentile(times, 50).toFixed(2), p95: +percentile(times, 95).toFixed(2) };
  }
  return out;
}
