/** Web accounts and sessions in SQLite: tables `web_users` and `web_sessions` (migration 4). */
import type BetterSqlite3 from 'better-sqlite3';
import type { AccountRecord, AccountStore, Role, SessionRecord } from '../accounts.ts';
import { writeTx } from './write-tx.ts';

export interface AccountRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  must_change: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

export interface SessionRow {
  token_hash: string;
  user_id: number;
  csrf: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  ua: string | null;
}

/** An account row (either backend) as the record. @example toAccount(row).mustChange // true */
export const toAccount = (r: AccountRow): AccountRecord => ({
  id: r.id,
  name: r.name,
  role: r.role,
  passwordHash: r.password_hash,
  mustChange: r.must_change === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastLoginAt: r.last_login_at,
});

/** A session row (either backend) as the record. @example toSession(row).tokenHash */
export const toSession = (r: SessionRow): SessionRecord => ({
  tokenHash: r.token_hash,
  userId: r.user_id,
  csrf: r.csrf,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  ip: r.ip,
  ua: r.ua,
});

/** The statements, prepared once: a session is read on every request. */
function prepareStatements(db: BetterSqlite3.Database) {
  return {
    insertAccount: db.prepare('INSERT INTO web_users (name, role, password_hash, must_change, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
    byId: db.prepare('SELECT * FROM web_users WHERE id = ?'),
    // `name` is COLLATE NOCASE: this lookup and the UNIQUE constraint ignore case.
    byName: db.prepare('SELECT * FROM web_users WHERE name = ?'),
    list: db.prepare('SELECT * FROM web_users ORDER BY name'),
    count: db.prepare('SELECT count(*) FROM web_users WHERE ? IS NULL OR role = ?').pluck(),
    setRole: db.prepare('UPDATE web_users SET role = ?, updated_at = ? WHERE id = ?'),
    setHash: db.prepare('UPDATE web_users SET password_hash = ?, must_change = ?, updated_at = ? WHERE id = ?'),
    deleteAccount: db.prepare('DELETE FROM web_users WHERE id = ?'),
    touchLogin: db.prepare('UPDATE web_users SET last_login_at = ? WHERE id = ?'),
    insertSession: db.prepare(
      'INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, ua) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    session: db.prepare('SELECT * FROM web_sessions WHERE token_hash = ?'),
    touchSession: db.prepare('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?'),
    deleteSession: db.prepare('DELETE FROM web_sessions WHERE token_hash = ?'),
    deleteSessions: db.prepare('DELETE FROM web_sessions WHERE user_id = ?'),
    deleteExpired: db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?'),
  };
}

export class SqliteAccountStore implements AccountStore {
  private readonly stmts: ReturnType<typeof prepareStatements>;
  private readonly removeTx: (id: number) => boolean;

  /**
   * @example
   * const accounts = new SqliteAccountStore(db); // a database opened with openSqliteStore (or: store.accountStore())
   * (await accounts.accountByName('ana'))?.role // 'viewer'
   */
  constructor(db: BetterSqlite3.Database) {
    this.stmts = prepareStatements(db);
    this.removeTx = writeTx(db, (id: number) => {
      this.stmts.deleteSessions.run(id);
      return this.stmts.deleteAccount.run(id).changes > 0;
    });
  }

  async createAccount(a: { name: string; role: Role; passwordHash: string; mustChange: boolean }, nowMs: number): Promise<AccountRecord | null> {
    try {
      const info = this.stmts.insertAccount.run(a.name, a.role, a.passwordHash, a.mustChange ? 1 : 0, nowMs, nowMs);
      return await this.account(Number(info.lastInsertRowid));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return null;
      throw e;
    }
  }

  async account(id: number): Promise<AccountRecord | null> {
    const r = this.stmts.byId.get(id) as AccountRow | undefined;
    return r ? toAccount(r) : null;
  }

  async accountByName(name: string): Promise<AccountRecord | null> {
    const r = this.stmts.byName.get(name) as AccountRow | undefined;
    return r ? toAccount(r) : null;
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (this.stmts.list.all() as AccountRow[]).map(toAccount);
  }

  async countAccounts(role?: Role): Promise<number> {
    return this.stmts.count.get(role ?? null, role ?? null) as number;
  }

  async setRole(id: number, role: Role, nowMs: number): Promise<boolean> {
    return this.stmts.setRole.run(role, nowMs, id).changes > 0;
  }

  async setPasswordHash(id: number, passwordHash: string, mustChange: boolean, nowMs: number): Promise<boolean> {
    return this.stmts.setHash.run(passwordHash, mustChange ? 1 : 0, nowMs, id).changes > 0;
  }

  async removeAccount(id: number): Promise<boolean> {
    return this.removeTx(id);
  }

  async touchLogin(id: number, nowMs: number): Promise<void> {
    this.stmts.touchLogin.run(nowMs, id);
  }

  async createSession(s: SessionRecord): Promise<void> {
    this.stmts.insertSession.run(s.tokenHash, s.userId, s.csrf, s.createdAt, s.lastSeenAt, s.expiresAt, s.ip, s.ua);
  }

  async session(tokenHash: string): Promise<SessionRecord | null> {
    const r = this.stmts.session.get(tokenHash) as SessionRow | undefined;
    return r ? toSession(r) : null;
  }

  async touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void> {
    this.stmts.touchSession.run(lastSeenAt, expiresAt, tokenHash);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.stmts.deleteSession.run(tokenHash);
  }

  async deleteSessions(userId: number): Promise<void> {
    this.stmts.deleteSessions.run(userId);
  }

  async deleteExpiredSessions(nowMs: number): Promise<number> {
    return this.stmts.deleteExpired.run(nowMs).changes;
  }
}
