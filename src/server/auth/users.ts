/**
 * Local accounts of the web UI (stored through `AccountStore`): a name, a role and a scrypt hash.
 * Roles are ordered: viewers read; responders also change alert status and run responses; admins manage accounts.
 * The rules live here (names, password length, hashing, the last admin); the store only keeps the records.
 */
import { ROLES, type AccountRecord, type AccountStore, type Role } from '../../store/accounts.ts';
import { generatePassword, hashPassword } from './passwords.ts';

export { ROLES, type Role };

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

/** What the UI and the CLI may see of an account: everything but the hash. */
const toAccount = (r: AccountRecord): Account => ({
  id: r.id,
  name: r.name,
  role: r.role,
  mustChange: r.mustChange,
  createdAt: r.createdAt,
  lastLoginAt: r.lastLoginAt,
});

export class AccountError extends Error {
  constructor(message: string, readonly code: 'exists' | 'not_found' | 'last_admin' | 'invalid') {
    super(message);
    this.name = 'AccountError';
  }
}

const NAME_RE = /^[A-Za-z0-9_.@-]{1,64}$/;

/**
 * Account operations over the store's accounts.
 *
 * @example
 * const accounts = new Accounts(store.accountStore());
 * const { password } = await accounts.create({ name: 'ana', role: 'viewer' }); // generated, shown once
 */
export class Accounts {
  constructor(private readonly store: AccountStore) {}

  async create(input: { name: string; role: Role; password?: string; mustChange?: boolean }, nowMs = Date.now()): Promise<{ account: Account; password: string }> {
    if (!NAME_RE.test(input.name)) throw new AccountError('account names are 1-64 letters, digits, "_", ".", "@" or "-"', 'invalid');
    if (!ROLES.includes(input.role)) throw new AccountError(`role must be one of ${ROLES.join(', ')}`, 'invalid');
    if (input.password !== undefined && input.password.length < 12) throw new AccountError('passwords must be at least 12 characters', 'invalid');
    const exists = () => new AccountError(`an account named "${input.name}" already exists`, 'exists');
    if (await this.byName(input.name)) throw exists();
    const password = input.password ?? generatePassword();
    // A generated password has been seen by whoever ran the command: its owner replaces it at first login.
    const mustChange = input.mustChange ?? input.password === undefined;
    const passwordHash = await hashPassword(password);
    // Null: created by someone else while we hashed.
    const r = await this.store.createAccount({ name: input.name, role: input.role, passwordHash, mustChange }, nowMs);
    if (!r) throw exists();
    return { account: toAccount(r), password };
  }

  async get(id: number): Promise<Account | null> {
    const r = await this.store.account(id);
    return r ? toAccount(r) : null;
  }

  async byName(name: string): Promise<Account | null> {
    const r = await this.store.accountByName(name);
    return r ? toAccount(r) : null;
  }

  /** The stored hash (for login only). */
  async credentials(name: string): Promise<{ account: Account; hash: string } | null> {
    const r = await this.store.accountByName(name);
    return r ? { account: toAccount(r), hash: r.passwordHash } : null;
  }

  async list(): Promise<Account[]> {
    return (await this.store.listAccounts()).map(toAccount);
  }

  async count(): Promise<number> {
    return await this.store.countAccounts();
  }

  async setRole(id: number, role: Role, nowMs = Date.now()): Promise<Account> {
    const a = await this.get(id);
    if (!a) throw new AccountError(`no account with id ${id}`, 'not_found');
    if (a.role === 'admin' && role !== 'admin' && (await this.store.countAccounts('admin')) <= 1) throw new AccountError('cannot demote the last admin', 'last_admin');
    await this.store.setRole(id, role, nowMs);
    return (await this.get(id))!;
  }

  async setPassword(id: number, password: string, opts: { mustChange?: boolean } = {}, nowMs = Date.now()): Promise<void> {
    if (password.length < 12) throw new AccountError('passwords must be at least 12 characters', 'invalid');
    const hash = await hashPassword(password);
    if (!(await this.store.setPasswordHash(id, hash, !!opts.mustChange, nowMs))) throw new AccountError(`no account with id ${id}`, 'not_found');
    // A new password ends every session of the account (someone may have used the old one).
    await this.store.deleteSessions(id);
  }

  async remove(id: number): Promise<void> {
    const a = await this.get(id);
    if (!a) throw new AccountError(`no account with id ${id}`, 'not_found');
    if (a.role === 'admin' && (await this.store.countAccounts('admin')) <= 1) throw new AccountError('cannot remove the last admin', 'last_admin');
    await this.store.removeAccount(id);
  }

  async touchLogin(id: number, nowMs = Date.now()): Promise<void> {
    await this.store.touchLogin(id, nowMs);
  }
}

/**
 * On first run (no account at all), create the `admin` account with a generated one-time password and return it, so
 * the caller prints it once; afterwards return null. The password must be changed at first login.
 *
 * @example
 * const pw = await ensureAdmin(store.accountStore());
 * if (pw) console.log(`log in as admin with the one-time password ${pw}`);
 */
export async function ensureAdmin(store: AccountStore, name = 'admin'): Promise<string | null> {
  const accounts = new Accounts(store);
  if ((await accounts.count()) > 0) return null;
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
 * const { name, password } = await ensureDemoLogin(store.accountStore()); // print once
 */
export async function ensureDemoLogin(store: AccountStore, name = 'demo'): Promise<{ name: string; password: string }> {
  const accounts = new Accounts(store);
  const password = generatePassword();
  const existing = await accounts.byName(name);
  if (existing) {
    if (existing.role !== 'admin') await accounts.setRole(existing.id, 'admin');
    await accounts.setPassword(existing.id, password);
  } else {
    await accounts.create({ name, role: 'admin', password, mustChange: false });
  }
  return { name, password };
}
