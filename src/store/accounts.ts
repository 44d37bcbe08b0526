/**
 * The storage behind the web UI's local accounts and their sessions. `server/auth/` keeps the policy (name and
 * password rules, scrypt hashing, the last admin, session expiry and sliding); this only keeps the records.
 * Async so a backend whose driver is asynchronous (PostgreSQL) implements it as well as SQLite does.
 */

/** The roles a stored account can have, least to most: the backend refuses any other. */
export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** One stored account, with its password hash (never leaves `server/auth/`). Times are Unix milliseconds. */
export interface AccountRecord {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  /** Created or reset with a generated password: its owner must replace it first. */
  mustChange: boolean;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

/** One stored session: the SHA-256 of the browser's token, never the token. Times are Unix milliseconds. */
export interface SessionRecord {
  tokenHash: string;
  userId: number;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  ip: string | null;
  ua: string | null;
}

/** Account names compare without case: `Ana` and `ana` are one account. */
export interface AccountStore {
  /** Store a new account; null when the name is taken (a concurrent creation included). */
  createAccount(a: { name: string; role: Role; passwordHash: string; mustChange: boolean }, nowMs: number): Promise<AccountRecord | null>;
  account(id: number): Promise<AccountRecord | null>;
  accountByName(name: string): Promise<AccountRecord | null>;
  /** Every account, by name. */
  listAccounts(): Promise<AccountRecord[]>;
  /** Accounts in all, or of one role. */
  countAccounts(role?: Role): Promise<number>;
  /** False when there is no such account. */
  setRole(id: number, role: Role, nowMs: number): Promise<boolean>;
  /** False when there is no such account. */
  setPasswordHash(id: number, passwordHash: string, mustChange: boolean, nowMs: number): Promise<boolean>;
  /** Delete an account and its sessions, atomically; false when there is no such account. */
  removeAccount(id: number): Promise<boolean>;
  touchLogin(id: number, nowMs: number): Promise<void>;

  createSession(s: SessionRecord): Promise<void>;
  session(tokenHash: string): Promise<SessionRecord | null>;
  /** Record use of a session and its new expiry. */
  touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): Promise<void>;
  deleteSession(tokenHash: string): Promise<void>;
  /** End every session of an account. */
  deleteSessions(userId: number): Promise<void>;
  /** Delete sessions expired at `nowMs`; returns how many. */
  deleteExpiredSessions(nowMs: number): Promise<number>;
}
