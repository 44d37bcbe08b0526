/**
 * One collector per filter set (issue #13): a process collects only while it holds the filter set's lease
 * (`store/leases/`), renewing it every `renewMs`; the others wait, and take over once the holder's lease expires
 * (`ttlMs` after its last renewal) or, at their next retry, when the holder was on this host and its process is gone.
 * Collection stays correct even if two ever overlapped (a paused holder waking after its lease expired): events are
 * stored once per id and a checkpoint only ever covers what is stored, so an overlap costs API calls, never events.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { abortableSleep, realSleep, type Sleep } from '../slack/retry.ts';
import type { CollectorLease, LeaseHolder, LeaseStore } from '../store/leases/index.ts';

export interface LeaseTimings {
  /** How long a lease lasts after each renewal. */
  ttlMs: number;
  /** How often the holder renews and the others retry. */
  renewMs: number;
}

/** 30 s leases renewed every 10 s: a crashed holder on another host is replaced within 40 s. */
export const DEFAULT_LEASE: LeaseTimings = { ttlMs: 30_000, renewMs: 10_000 };

/**
 * The timings, changed by `GRIDWATCH_LEASE_MS=<ttl>,<renew>` (milliseconds, renew below ttl; anything else gives the
 * defaults). Shorter leases mean a faster takeover after a crash but a holder that must reach the database more often.
 *
 * @example leaseTimings({ GRIDWATCH_LEASE_MS: '3000,1000' }) // { ttlMs: 3000, renewMs: 1000 }
 */
export function leaseTimings(env: NodeJS.ProcessEnv): LeaseTimings {
  const m = /^(\d+),(\d+)$/.exec(env.GRIDWATCH_LEASE_MS ?? '');
  if (!m) return DEFAULT_LEASE;
  const ttlMs = Number(m[1]);
  const renewMs = Number(m[2]);
  return renewMs > 0 && ttlMs > renewMs ? { ttlMs, renewMs } : DEFAULT_LEASE;
}

/**
 * This process run as a lease holder. Its host is `GRIDWATCH_HOST_ID` when set, else the machine's host name: the
 * host decides whether a dead holder's pid can be checked here (same host: taken over at the next retry) or its lease must
 * expire, so machines whose host names collide (cloned VMs, containers given the same `--hostname`) need distinct ids,
 * and the tests use it to play two hosts on one machine.
 *
 * @example thisHolder({ GRIDWATCH_HOST_ID: 'collector-b' }) // { id: '<uuid>', host: 'collector-b', pid: 4242 }
 */
export function thisHolder(env: NodeJS.ProcessEnv = process.env): LeaseHolder {
  return { id: randomUUID(), host: env.GRIDWATCH_HOST_ID?.trim() || hostname(), pid: process.pid };
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Take or renew the lease of `key`; a lease held by a process of this host that no longer exists is taken over
 * without waiting for it to expire.
 *
 * @example const { ok, lease } = await tryLease(leases, 'all', me, 30_000);
 */
export async function tryLease(leases: LeaseStore, key: string, me: LeaseHolder, ttlMs: number): Promise<{ ok: boolean; lease: CollectorLease }> {
  let lease = await leases.acquire(key, me, ttlMs);
  if (lease.id !== me.id && lease.host === me.host && processGone(lease.pid)) lease = await leases.acquire(key, me, ttlMs, lease.id);
  return { ok: lease.id === me.id, lease };
}

/** Another process holds the lease (and the caller chose not to wait). */
export class LeaseHeldError extends Error {
  constructor(readonly lease: CollectorLease) {
    super(`another collector holds the lease of '${lease.key}': ${describeHolder(lease)} until ${new Date(lease.expiresAt).toISOString()} (renewed while it runs)`);
  }
}

/** `host pid 1234` for messages. */
export function describeHolder(l: LeaseHolder): string {
  return `${l.host} pid ${l.pid}`;
}

export interface LeasedOptions {
  leases: LeaseStore;
  key: string;
  timings: LeaseTimings;
  signal: AbortSignal;
  /** Wait for the lease (and again after losing it) until `signal` aborts; false: throw `LeaseHeldError` at once. */
  wait: boolean;
  me?: LeaseHolder;
  sleep?: Sleep;
  /** Another process holds the lease (told once per holder). */
  onWaiting?: (lease: CollectorLease) => void;
  onAcquired?: (lease: CollectorLease) => void;
  /** The lease was lost (taken over, or not renewable in time): the work's signal is aborted. */
  onLost?: (reason: string) => void;
  /** The lease table could not be read; retried after `renewMs`. */
  onError?: (e: unknown) => void;
}

/**
 * Run `work` while holding the lease: its signal aborts when `signal` does or the lease is lost (then, with `wait`,
 * wait for the lease again and run `work` anew). The lease is released when `work` ends, unless lost.
 *
 * @example
 * await whileLeased({ leases, key: 'all', timings: DEFAULT_LEASE, signal, wait: true }, (s) => followLoop({ ...opts, signal: s }));
 */
export async function whileLeased<T>(opts: LeasedOptions, work: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
  const { leases, key, timings, signal } = opts;
  const me = opts.me ?? thisHolder();
  const sleep = opts.sleep ?? realSleep;
  let toldHolder: string | null = null;
  let result: T | null = null;
  while (!signal.aborted) {
    let got: { ok: boolean; lease: CollectorLease };
    try {
      got = await tryLease(leases, key, me, timings.ttlMs);
    } catch (e) {
      if (!opts.wait) throw e;
      opts.onError?.(e);
      if (!(await pause(sleep, timings.renewMs, signal))) break;
      continue;
    }
    if (!got.ok) {
      if (!opts.wait) throw new LeaseHeldError(got.lease);
      if (toldHolder !== got.lease.id) opts.onWaiting?.(got.lease);
      toldHolder = got.lease.id;
      if (!(await pause(sleep, timings.renewMs, signal))) break;
      continue;
    }
    toldHolder = null;
    opts.onAcquired?.(got.lease);
    const held = holdLease(opts, me, signal);
    try {
      result = await work(held.signal);
    } finally {
      const lost = await held.stop();
      if (!lost) await leases.release(key, me.id).catch(() => undefined);
    }
    if (!held.lost() || !opts.wait) break;
  }
  return result;
}

/** Renew the lease every `renewMs` until stopped; abort the returned signal when it is lost. */
function holdLease(opts: LeasedOptions, me: LeaseHolder, outer: AbortSignal) {
  const inner = new AbortController();
  const stopInner = () => inner.abort(outer.reason);
  outer.addEventListener('abort', stopInner, { once: true });
  let lost = false;
  let lastOk = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> = Promise.resolve();
  const lose = (reason: string) => {
    lost = true;
    opts.onLost?.(reason);
    inner.abort(new Error(reason));
  };
  const renew = async () => {
    const started = Date.now();
    try {
      const r = await tryLease(opts.leases, opts.key, me, opts.timings.ttlMs);
      if (!r.ok) return lose(`lease taken over by ${describeHolder(r.lease)}`);
      lastOk = started;
    } catch (e) {
      // Stop collecting a renewal period before the lease can expire, so the next holder never overlaps with us.
      if (Date.now() - lastOk > opts.timings.ttlMs - opts.timings.renewMs) return lose(`lease not renewed: ${(e as Error).message}`);
    }
    if (!inner.signal.aborted) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => (inflight = renew()), opts.timings.renewMs);
  };
  schedule();
  return {
    signal: inner.signal,
    lost: () => lost,
    /** Stop renewing (after any renewal in flight, so none lands after the release); true if the lease was lost. */
    stop: async () => {
      clearTimeout(timer);
      outer.removeEventListener('abort', stopInner);
      if (!inner.signal.aborted) inner.abort();
      await inflight;
      return lost;
    },
  };
}

async function pause(sleep: Sleep, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await abortableSleep(sleep, ms, signal);
    return true;
  } catch {
    return false;
  }
}
