/**
 * Local accounts of the web UI (table `web_users`, migration 4): a name, a role and a scrypt hash.
 * Roles are ordered: viewers read; responders also change alert status and run responses; admins manage accounts.
 */
import type Database from 'better-sqlite3';
import { generatePassword, hashPassword } from './passwords.ts';

export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Does `role` include the rights of `needed`?
 *
 * @example roleAtLeast('responder', 'viewer') // true
 */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface Account {
  id: number;
  name: string;
  role: Role;
  /** Created with a generated password: it must be changed before anything else. */
  mustChange: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

interface AccountRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  must_change: number;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  role: r.role,
  mustChange: r.must_change === 1,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
});

export class AccountError extends Error {
  constructor(message: string, readonly code: 'exists' | 'not_found' | 'last_admin' | 'invalid') {
    super(message);
    this.name = 'AccountError';
  }
}

const NAME_RE = /^[A-Za-z0-9_.@-]{1,64}$/;

/**
 * Account operations over the store's database handle.
 *
 * @example
 * const accounts = new Accounts(store.db);
 * const { password } = await accounts.create({ name: 'ana', role: 'viewer' }); // generated, shown once
 */
export class Accounts {
  constructor(private readonly db: Database.Database) {}

  async create(input: { name: string; role: Role; password?: string; mustChange?: boolean }, nowMs = Date.now()): Promise<{ account: Account; password: string }> {
    if (!NAME_RE.test(input.name)) throw new AccountError('account names are 1-64 letters, digits, "_", ".", "@" or "-"', 'invalid');
    if (!ROLES.includes(input.role)) throw new AccountError(`role must be one of ${ROLES.join(', ')}`, 'invalid');
    if (input.password !== undefined && input.password.length < 12) throw new AccountError('passwords must be at least 12 characters', 'invalid');
    if (this.byName(input.name)) throw new AccountError(`an account named "${input.name}" already exists`, 'exists');
    const password = input.password ?? generatePassword();
    // A generated password has been seen by whoever ran the command: its owner replaces it at first login.
    const mustChange = input.mustChange ?? input.password === undefined;
    const hash = await hashPassword(password);
    try {
      const info = this.db
        .prepare('INSERT INTO web_users (name, role, password_hash, must_change, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.name, input.role, hash, mustChange ? 1 : 0, nowMs, nowMs);
      return { account: this.get(Number(info.lastInsertRowid))!, password };
    } catch (e) {
      if (/UNIQUE/.test((e as Error).message)) throw new AccountError(`an account named "${input.name}" already exists`, 'exists');
      throw e;
    }
  }

  get(id: number): Account | null {
    const r = this.db.prepare('SELECT * FROM web_users WHERE id = ?').get(id) as AccountRow | undefined;
    return r ? toAccount(r) : null;
  }

  byName(name: string): Account | null {
    const r = this.db.prepare('SELECT * FROM web_users WHERE name = ?').get(name) as AccountRow | undefined;
    return r ? toAccount(r) : null;
  }

  /** The stored hash (for login only). */
  credentials(name: string): { account: Account; hash: string } | null {
    const r = this.db.prepare('SELECT * FROM web_users WHERE name = ?').get(name) as AccountRow | undefined;
    return r ? { account: toAccount(r), hash: r.password_hash } : null;
  }

  list(): Account[] {
    return (this.db.prepare('SELECT * FROM web_users ORDER BY name').all() as AccountRow[]).map(toAccount);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM web_users').get() as { n: number }).n;
  }

  private admins(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM web_users WHERE role = 'admin'").get() as { n: number }).n;
  }

  setRole(id: number, role: Role, nowMs = Date.now()): Account {
    const a = this.get(id);
    if (!a) throw new AccountError(`no account with id ${id}`, 'not_found');
    if (a.role === 'admin' && role !== 'admin' && this.admins() <= 1) throw new AccountError('cannot demote the last admin', 'last_admin');
    this.db.prepare('UPDATE web_users SET role = ?, updated_at = ? WHERE id = ?').run(role, nowMs, id);
    return this.get(id)!;
  }

  async setPassword(id: number, password: string, opts: { mustChange?: boolean } = {}, nowMs = Date.now()): Promise<void> {
    if (password.length < 12) throw new AccountError('passwords must be at least 12 characters', 'invalid');
    const hash = await hashPassword(password);
    const info = this.db
      .prepare('UPDATE web_users SET password_hash = ?, must_change = ?, updated_at = ? WHERE id = ?')
      .run(hash, opts.mustChange ? 1 : 0, nowMs, id);
    if (info.changes === 0) throw new AccountError(`no account with id ${id}`, 'not_found');
    // A new password ends every session of the account (someone may have used the old one).
    this.db.prepare('DELETE FROM web_sessions WHERE user_id = ?').run(id);
  }

  remove(id: number): void {
    const a = this.get(id);
    if (!a) throw new AccountError(`no account with id ${id}`, 'not_found');
    if (a.role === 'admin' && this.admins() <= 1) throw new AccountError('cannot remove the last admin', 'last_admin');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM web_sessions WHERE user_id = ?').run(id);
      this.db.prepare('DELETE FROM web_users WHERE id = ?').run(id);
    })();
  }

  touchLogin(id: number, nowMs = Date.now()): void {
    this.db.prepare('UPDATE web_users SET last_login_at = ? WHERE id = ?').run(nowMs, id);
  }
}

/**
 * On first run (no account at all), create the `admin` account with a generated one-time password and return it, so
 * the caller prints it once; afterwards return null. The password must be changed at first login.
 *
 * @example
 * const pw = await ensureAdmin(store.db);
 * if (pw) console.log(`log in as admin with the one-time password ${pw}`);
 */
export async function ensureAdmin(db: Database.Database, name = 'admin'): Promise<string | null> {
  const accounts = new Accounts(db);
  if (accounts.count() > 0) return null;
  try {
    const { password } = await accounts.create({ name, role: 'admin', mustChange: true });
    return password;
  } catch (e) {
    // Another process created it between our count and insert: it printed the password, not us.
    if (e instanceof AccountError && e.code === 'exists') return null;
    throw e;
  }
}

/**
 * For the demo (`npm start`): make sure an admin account named `demo` exists and give it a fresh random password on
 * every run, returned so the demo prints it. Not for production use: `ensureAdmin` and `gridwatch users` are.
 *
 * @example
 * const { name, password } = await ensureDemoLogin(store.db); // print once
 */
export async function ensureDemoLogin(db: Database.Database, name = 'demo'): Promise<{ name: string; password: string }> {
  const accounts = new Accounts(db);
  const password = generatePassword();
  const existing = accounts.byName(name);
  if (existing) {
    if (existing.role !== 'admin') accounts.setRole(existing.id, 'admin');
    await accounts.setPassword(existing.id, password);
  } else {
    await accounts.create({ name, role: 'admin', password, mustChange: false });
  }
  return { name, password };
}
