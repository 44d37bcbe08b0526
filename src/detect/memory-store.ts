/**
 * A small in-memory `Store` for rule tests (`gridwatch rules test` needs no database) and engine unit tests.
 * Same query semantics as the SQLite store: newest first with `before` paging, scans in (ts, seq) order,
 * idempotent appends keyed by event id.
 */
import type { StoredEvent } from '../events/schema.ts';
import { genericDetectionReads, type DetectionReads } from '../store/detection-reads.ts';
import type { AppendResult, Checkpoint, EventQuery, IncomingEvent, IpKeyRange, QuarantineItem, Store } from '../store/types.ts';
import { parseIp } from '../enrich/ip.ts';
import { messageChannel } from '../events/message-channel.ts';

function inRanges(ip: string | null, ranges: readonly IpKeyRange[]): boolean {
  const p = ip ? parseIp(ip) : null;
  return !!p && ranges.some((r) => r.family === p.family && r.start <= p.key && p.key <= r.end);
}

function matches(e: StoredEvent, q: EventQuery): boolean {
  const n = e.norm;
  if (q.actions?.length && !q.actions.includes(n.action)) return false;
  if (q.actor !== undefined && n.actorId !== q.actor) return false;
  if (q.entity !== undefined && n.entityId !== q.entity) return false;
  if (q.ip !== undefined && n.ip !== q.ip) return false;
  if (q.session !== undefined && n.sessionId !== q.session) return false;
  if (q.ips && !(n.ip !== null && q.ips.includes(n.ip))) return false;
  if (q.ipRanges && !inRanges(n.ip, q.ipRanges)) return false;
  if (q.channel !== undefined && messageChannel(e) !== q.channel) return false;
  if (q.reason !== undefined && !n.reasons.includes(q.reason)) return false;
  if (q.since !== undefined && n.ts < q.since) return false;
  if (q.until !== undefined && n.ts > q.until) return false;
  if (q.before && !(n.ts < q.before.ts || (n.ts === q.before.ts && e.seq < q.before.seq))) return false;
  return true;
}

const newestFirst = (a: StoredEvent, b: StoredEvent) => b.norm.ts - a.norm.ts || b.seq - a.seq;

export class MemoryStore implements Store {
  private readonly events: StoredEvent[] = [];
  private readonly byId = new Map<string, StoredEvent>();
  private readonly state = new Map<string, string>();
  private readonly checkpoints = new Map<string, Checkpoint>();
  private readonly quarantined: Array<QuarantineItem & { id: number; createdAt: number }> = [];
  private readonly reads = genericDetectionReads(this);

  /**
   * @example
   * const store = new MemoryStore();
   * await store.appendEvents([{ raw, norm: normalise(JSON.parse(raw)) }]);
   */
  async appendEvents(batch: IncomingEvent[], checkpoint?: Checkpoint): Promise<AppendResult> {
    const insertedIds: string[] = [];
    for (const { raw, norm } of batch) {
      if (this.byId.has(norm.id)) continue;
      const e: StoredEvent = { seq: this.events.length + 1, raw, norm };
      this.events.push(e);
      this.byId.set(norm.id, e);
      insertedIds.push(norm.id);
    }
    if (checkpoint) this.checkpoints.set(checkpoint.key, checkpoint);
    return { inserted: insertedIds.length, duplicates: batch.length - insertedIds.length, insertedIds };
  }

  async quarantine(items: QuarantineItem[]): Promise<void> {
    for (const q of items) this.quarantined.push({ ...q, id: this.quarantined.length + 1, createdAt: Date.now() });
  }

  async quarantineCount(): Promise<number> {
    return this.quarantined.length;
  }

  async listQuarantine(limit = 100) {
    return this.quarantined.slice(-limit).reverse();
  }

  async queryEvents(q: EventQuery): Promise<StoredEvent[]> {
    const out = this.events.filter((e) => matches(e, q)).sort(newestFirst);
    return q.limit && q.limit > 0 ? out.slice(0, q.limit) : out;
  }

  async getEvent(id: string): Promise<StoredEvent | null> {
    return this.byId.get(id) ?? null;
  }

  async getEvents(ids: readonly string[]): Promise<StoredEvent[]> {
    return ids.flatMap((id) => this.byId.get(id) ?? []);
  }

  async countEvents(q: EventQuery = {}): Promise<number> {
    return this.events.filter((e) => matches(e, q)).length;
  }

  async *scanEvents(q: { since?: number; until?: number; batchSize?: number }): AsyncIterable<StoredEvent[]> {
    const size = q.batchSize ?? 5000;
    const sorted = this.events
      .filter((e) => (q.since === undefined || e.norm.ts >= q.since) && (q.until === undefined || e.norm.ts <= q.until))
      .sort((a, b) => a.norm.ts - b.norm.ts || a.seq - b.seq);
    for (let i = 0; i < sorted.length; i += size) yield sorted.slice(i, i + size);
  }

  async eventsAfterSeq(seq: number, limit: number): Promise<StoredEvent[]> {
    return this.events.slice(seq, seq + limit);
  }

  async maxSeq(): Promise<number> {
    return this.events.length;
  }

  async allIds(): Promise<Set<string>> {
    return new Set(this.byId.keys());
  }

  detectionReads(): DetectionReads {
    return this.reads;
  }

  async newestEventTime(): Promise<number | null> {
    return this.events.reduce<number | null>((m, e) => (m === null || e.norm.ts > m ? e.norm.ts : m), null);
  }

  async topCounts(by: 'action' | 'actor' | 'reason', limit: number, q: EventQuery = {}) {
    const counts = new Map<string, number>();
    for (const e of this.events) {
      if (!matches(e, q)) continue;
      const keys = by === 'action' ? [e.norm.action] : by === 'actor' ? (e.norm.actorId ? [e.norm.actorId] : []) : e.norm.reasons;
      for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return [...counts].map(([key, count]) => ({ key, label: null, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)).slice(0, limit);
  }

  async getCheckpoint(key: string): Promise<Checkpoint | null> {
    return this.checkpoints.get(key) ?? null;
  }

  async putCheckpoint(cp: Checkpoint): Promise<void> {
    this.checkpoints.set(cp.key, cp);
  }

  async listCheckpoints(): Promise<Checkpoint[]> {
    return [...this.checkpoints.values()];
  }

  async getState(key: string): Promise<string | null> {
    return this.state.get(key) ?? null;
  }

  async putState(key: string, value: string): Promise<void> {
    this.state.set(key, value);
  }

  async close(): Promise<void> {}
}
