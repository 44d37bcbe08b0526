/**
 * Server-side sessions (kept by `AccountStore`). The browser holds a random 256-bit token in an HttpOnly,
 * SameSite=Strict cookie; the store keeps only its SHA-256, the account, a per-session CSRF token and the expiry.
 * Sessions end after `idleMs` without use or `maxMs` after login, whichever comes first.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AccountStore } from '../../store/accounts.ts';
import { Accounts, type Account } from './users.ts';

export interface SessionOptions {
  /** Default 12 hours. */
  idleMs?: number;
  /** Default 7 days. */
  maxMs?: number;
}

export interface Session {
  tokenHash: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
  account: Account;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * @example
 * const sessions = new Sessions(store.accountStore());
 * const { token } = await sessions.create(account.id, '127.0.0.1', 'Mozilla/5.0 ...');
 * (await sessions.lookup(token))?.account.name // 'ana'
 */
export class Sessions {
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly accounts: Accounts;

  constructor(private readonly store: AccountStore, opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 12 * 3600_000;
    this.maxMs = opts.maxMs ?? 7 * 86400_000;
    this.accounts = new Accounts(store);
  }

  async create(userId: number, ip: string | null, ua: string | null, nowMs = Date.now()): Promise<{ token: string; csrf: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(nowMs + this.idleMs, nowMs + this.maxMs);
    await this.store.createSession({ tokenHash: sha256(token), userId, csrf, createdAt: nowMs, lastSeenAt: nowMs, expiresAt, ip, ua: ua?.slice(0, 300) ?? null });
    return { token, csrf, expiresAt };
  }

  /** The live session for a cookie value, or null (expired sessions are deleted on sight). */
  async lookup(token: string | undefined, nowMs = Date.now()): Promise<Session | null> {
    if (!token || token.length > 100) return null;
    const hash = sha256(token);
    const r = await this.store.session(hash);
    if (!r) return null;
    if (r.expiresAt <= nowMs) {
      await this.store.deleteSession(hash);
      return null;
    }
    const account = await this.accounts.get(r.userId);
    if (!account) return null;
    let expiresAt = r.expiresAt;
    // Slide the idle expiry, writing at most once a minute per session rather than on every request.
    if (nowMs - r.lastSeenAt > 60_000) {
      expiresAt = Math.min(nowMs + this.idleMs, r.createdAt + this.maxMs);
      await this.store.touchSession(hash, nowMs, expiresAt);
    }
    return { tokenHash: hash, csrf: r.csrf, createdAt: r.createdAt, expiresAt, account };
  }

  async destroy(token: string | undefined): Promise<void> {
    if (token) await this.store.deleteSession(sha256(token));
  }

  async destroyAll(userId: number): Promise<void> {
    await this.store.deleteSessions(userId);
  }

  async purgeExpired(nowMs = Date.now()): Promise<number> {
    return await this.store.deleteExpiredSessions(nowMs);
  }
}
