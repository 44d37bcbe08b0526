/**
 * Server-side sessions (table `web_sessions`, migration 4). The browser holds a random 256-bit token in an HttpOnly,
 * SameSite=Strict cookie; the table holds only its SHA-256, the account, a per-session CSRF token and the expiry.
 * Sessions end after `idleMs` without use or `maxMs` after login, whichever comes first.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
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

interface SessionRow {
  token_hash: string;
  user_id: number;
  csrf: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * @example
 * const sessions = new Sessions(store.db);
 * const { token } = sessions.create(account.id, '127.0.0.1', 'Mozilla/5.0 ...');
 * sessions.lookup(token)?.account.name // 'ana'
 */
export class Sessions {
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly accounts: Accounts;

  constructor(private readonly db: Database.Database, opts: SessionOptions = {}) {
    this.idleMs = opts.idleMs ?? 12 * 3600_000;
    this.maxMs = opts.maxMs ?? 7 * 86400_000;
    this.accounts = new Accounts(db);
  }

  create(userId: number, ip: string | null, ua: string | null, nowMs = Date.now()): { token: string; csrf: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(nowMs + this.idleMs, nowMs + this.maxMs);
    this.db
      .prepare('INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, ua) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(sha256(token), userId, csrf, nowMs, nowMs, expiresAt, ip, ua?.slice(0, 300) ?? null);
    return { token, csrf, expiresAt };
  }

  /** The live session for a cookie value, or null (expired sessions are deleted on sight). */
  lookup(token: string | undefined, nowMs = Date.now()): Session | null {
    if (!token || token.length > 100) return null;
    const hash = sha256(token);
    const r = this.db.prepare('SELECT * FROM web_sessions WHERE token_hash = ?').get(hash) as SessionRow | undefined;
    if (!r) return null;
    if (r.expires_at <= nowMs) {
      this.db.prepare('DELETE FROM web_sessions WHERE token_hash = ?').run(hash);
      return null;
    }
    const account = this.accounts.get(r.user_id);
    if (!account) return null;
    let expiresAt = r.expires_at;
    // Slide the idle expiry, writing at most once a minute per session rather than on every request.
    if (nowMs - r.last_seen_at > 60_000) {
      expiresAt = Math.min(nowMs + this.idleMs, r.created_at + this.maxMs);
      this.db.prepare('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?').run(nowMs, expiresAt, hash);
    }
    return { tokenHash: hash, csrf: r.csrf, createdAt: r.created_at, expiresAt, account };
  }

  destroy(token: string | undefined): void {
    if (token) this.db.prepare('DELETE FROM web_sessions WHERE token_hash = ?').run(sha256(token));
  }

  destroyAll(userId: number): void {
    this.db.prepare('DELETE FROM web_sessions WHERE user_id = ?').run(userId);
  }

  purgeExpired(nowMs = Date.now()): number {
    return this.db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?').run(nowMs).changes;
  }
}
