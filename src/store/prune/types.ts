/**
 * `gridwatch prune` (issue #13): remove events older than a cut, and with `includeAlerts` the alerts and incidents
 * that ended before it. The action log is never pruned: it is a hash chain (`gridwatch actions verify`), and removing
 * its oldest records would break the chain. Checkpoints are left as they are, so the collector never re-fetches the
 * pruned range (its covered range still starts where it did).
 */
export interface PruneOptions {
  /** Unix seconds: events with `date_create` before it go. */
  cut: number;
  includeAlerts: boolean;
  /** Count what would go; change nothing. */
  dryRun: boolean;
  /** Events per transaction where rows are deleted (default 5000): short write locks, so collection goes on. */
  batchSize?: number;
  /** After each batch or dropped partition, with the events removed so far. */
  onProgress?: (eventsRemoved: number) => void;
}

export interface PruneSummary {
  cut: number;
  /** Events removed (or that would be, on a dry run). */
  events: number;
  /** PostgreSQL: monthly partitions dropped whole (or that would be). */
  partitionsDropped: string[];
  alerts: number;
  incidents: number;
  dryRun: boolean;
}

/** One batch of events about to be removed: what the read models need to subtract them. */
export interface PrunedRow {
  seq: number;
  ts: number;
  action: string;
  actor_id: string | null;
  reasons: string | null;
}

/**
 * Counts to subtract from the UI rollups for the rows already folded into them (sequence number at most `folded`).
 *
 * @example rollupDeltas(rows, 120) // { volume: [[hour, action, n]...], actors: [[actorId, n]...] }
 */
export function rollupDeltas(rows: readonly PrunedRow[], folded: number): { volume: Array<[number, string, number]>; actors: Array<[string, number]> } {
  const volume = new Map<string, [number, string, number]>();
  const actors = new Map<string, number>();
  for (const r of rows) {
    if (r.seq > folded) continue;
    const hour = Math.floor(r.ts / 3600);
    const k = `${hour}\u0000${r.action}`;
    const v = volume.get(k) ?? [hour, r.action, 0];
    v[2]++;
    volume.set(k, v);
    if (r.actor_id !== null) actors.set(r.actor_id, (actors.get(r.actor_id) ?? 0) + 1);
  }
  return { volume: [...volume.values()], actors: [...actors.entries()] };
}
