/**
 * Collector leases (issue #13): at most one process collects a given filter set of an organisation's store at a time.
 * A lease is a row (`collector_leases`) with an expiry that its holder renews; see docs/postgres.md for why a row and
 * not a PostgreSQL advisory lock. Times are Unix milliseconds of the database's clock on PostgreSQL (hosts' clocks may
 * disagree) and of the process's clock on SQLite (every process is on the same machine).
 */
import { z } from 'zod';

/** Who holds (or asks for) a lease: a random id per process run, and where it runs, for people and for takeover. */
export const LeaseHolderSchema = z.object({
  id: z.string().min(1),
  host: z.string(),
  pid: z.number().int(),
});
export type LeaseHolder = z.infer<typeof LeaseHolderSchema>;

export const CollectorLeaseSchema = LeaseHolderSchema.extend({
  /** The checkpoint key of the filter set (`all`, `action=anomaly`...). */
  key: z.string(),
  acquiredAt: z.number(),
  renewedAt: z.number(),
  expiresAt: z.number(),
});
export type CollectorLease = z.infer<typeof CollectorLeaseSchema>;

/** The lease table of one store. */
export interface LeaseStore {
  /**
   * Take the lease of `key` for `ttlMs` if it is free, expired, already ours, or `takeOverFrom` names its holder's id
   * (a holder known dead); renew it if ours. Returns the lease as it stands afterwards (ours or another's).
   */
  acquire(key: string, me: LeaseHolder, ttlMs: number, takeOverFrom?: string): Promise<CollectorLease>;
  /** Give the lease up if we hold it (a graceful stop: another process may take over at once). */
  release(key: string, holderId: string): Promise<void>;
  /** Every lease row, expired ones included, by key. */
  list(): Promise<Array<CollectorLease & { expired: boolean }>>;
}

/** Row layout shared by both backends. */
export interface LeaseRow {
  key: string;
  holder: string;
  host: string;
  pid: number;
  acquired_at: number;
  renewed_at: number;
  expires_at: number;
}

export function rowToLease(r: LeaseRow): CollectorLease {
  return { key: r.key, id: r.holder, host: r.host, pid: Number(r.pid), acquiredAt: Number(r.acquired_at), renewedAt: Number(r.renewed_at), expiresAt: Number(r.expires_at) };
}

/**
 * The upsert both backends run (`?` placeholders; PostgreSQL's module numbers them): insert, or take over the row when
 * it is ours, expired, or held by the holder named as dead. Parameters: key, holder, host, pid, now, expires, dead id.
 */
export const ACQUIRE_SQL = `
  INSERT INTO collector_leases AS l (key, holder, host, pid, acquired_at, renewed_at, expires_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (key) DO UPDATE SET
    holder = excluded.holder, host = excluded.host, pid = excluded.pid,
    acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
    renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
  WHERE l.holder = excluded.holder OR l.expires_at < excluded.renewed_at OR l.holder = ?`;

/** The table, the same on both backends (SQLite and PostgreSQL migration 40). */
export const LEASE_TABLE_SQL = `
  CREATE TABLE collector_leases (
    key         TEXT PRIMARY KEY,  -- checkpoint key of the filter set
    holder      TEXT NOT NULL,     -- random id of the holding process run
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    acquired_at BIGINT NOT NULL,   -- Unix ms
    renewed_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
  )`;
