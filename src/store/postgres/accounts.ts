/**
 * Web accounts and sessions in PostgreSQL: tables `web_users` and `web_sessions` (migration 12). Names compare
 * without case through `lower(name)` (unique index; the column is COLLATE "C", so ASCII letters only, as SQLite's
 * NOCASE).
 */
import type pg from 'pg';
import type { AccountRecord, AccountStore, Role, SessionRecord } from '../accounts.ts';
import { toAccount, toSession, type AccountRow, type SessionRow } from '../sqlite/accounts.ts';
import { inTransaction } from './tx.ts';

const UNIQUE_VIOLATION = '23505';

export class PgAccountStore implements AccountStore {
  /**
   * @example
   * const accounts = new PgAccountStore(pool); // a pool of a migrated database (or: store.accountStore())
   * (await accounts.accountByName('ana'))?.role // 'viewer'
   */
  constructor(private readonly pool: pg.Pool) {}

  private async changed(sql: string, params: unknown[]): Promise<boolean> {
    return ((await this.pool.query(sql, params)).rowCount ?? 0) > 0;
  }

  async createAccount(a: { name: string; role: Role; passwordHash: string; mustChange: boolean }, nowMs: number): Promise<AccountRecord | null> {
    try {
      const r = await this.pool.query<AccountRow>(
        'INSERT INTO web_users (name, role, password_hash, must_change, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING *',
        [a.name, a.role, a.passwordHash, a.mustChange ? 1 : 0, nowMs],
      );
      return toAccount(r.rows[0]!);
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw e;
    }
  }

  async account(id: number): Promise<AccountRecord | null> {
    const r = (await this.pool.query<AccountRow>('SELECT * FROM web_users WHERE id = $1', [id])).rows[0];
    return r ? toAccount(r) : null;
  }

  async accountByName(name: string): Promise<AccountRecord | null> {
    const r = (await this.pool.query<AccountRow>('SELECT * FROM web_users WHERE lower(name) = lower($1 COLLATE "C")', [name])).rows[0];
    return r ? toAccount(r) : null;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (await this.pool.query<AccountRow>('SELECT * FROM web_users ORDER BY lower(name), id')).rows.map(toAccount);
  }

  async countAccounts(role?: Role): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM web_users WHERE $1::text IS NULL OR role = $1', [role ?? null])).rows[0]!.n;
  }

  async setRole(id: number, role: Role, nowMs: number): Promise<boolean> {
    return this.changed('UPDATE web_users SET role = $1, updated_at = $2 WHERE id = $3', [role, nowMs, id]);
  }

  async setPasswordHash(id: number, passwordHash: string, mustChange: boolean, nowMs: number): Promise<boolean> {
    return this.changed('UPDATE web_users SET password_hash = $1, must_change = $2, updated_at = $3 WHERE id = $4', [passwordHash, mustChange ? 1 : 0, nowMs, id]);
  }

  async removeAccount(id: number): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      await c.query('DELETE FROM web_sessions WHERE user_id = $1', [id]);
      return ((await c.query('DELETE FROM web_users WHERE id = $1', [id])).rowCount ?? 0) > 0;
    });
  }

  async touchLogin(id: number, nowMs: number): Promise<void> {
    await this.pool.query('UPDATE web_users SET last_login_at = $1 WHERE id = $2', [nowMs, id]);
  }

  async createSession(s: SessionRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, ua) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [s.tokenHash, s.userId, s.csrf, s.createdAt, s.lastSeenAt, s.expiresAt, s.ip, s.ua],
    );
  }

  async session(tokenHash: string): Promise<SessionRecord | null> {
    const r = (await this.pool.query<SessionRow>('SELECT * FROM web_sessions WHERE token_hash = $1', [tokenHash])).rows[0];
    return r ? toSession(r) : null;
  }

  async touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    await this.pool.query('UPDATE web_sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3', [lastSeenAt, expiresAt, tokenHash]);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM web_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteSessions(userId: number): Promise<void> {
    await this.pool.query('DELETE FROM web_sessions WHERE user_id = $1', [userId]);
  }

  async deleteExpiredSessions(nowMs: number): Promise<number> {
    return (await this.pool.query('DELETE FROM web_sessions WHERE expires_at <= $1', [nowMs])).rowCount ?? 0;
  }
}
