/**
 * The storage behind the web UI's local accounts and their sessions. `server/auth/` keeps the policy (name and
 * password rules, scrypt hashing, the last admin, session expiry and sliding); this only keeps the records.
 * Synchronous like the auth API it serves (a session is looked up on every request); a backend whose driver is
 * asynchronous needs that API made async first.
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
  createAccount(a: { name: string; role: Role; passwordHash: string; mustChange: boolean }, nowMs: number): AccountRecord | null;
  account(id: number): AccountRecord | null;
  accountByName(name: string): AccountRecord | null;
  /** Every account, by name. */
  listAccounts(): AccountRecord[];
  /** Accounts in all, or of one role. */
  countAccounts(role?: Role): number;
  /** False when there is no such account. */
  setRole(id: number, role: Role, nowMs: number): boolean;
  /** False when there is no such account. */
  setPasswordHash(id: number, passwordHash: string, mustChange: boolean, nowMs: number): boolean;
  /** Delete an account and its sessions, atomically; false when there is no such account. */
  removeAccount(id: number): boolean;
  touchLogin(id: number, nowMs: number): void;

  createSession(s: SessionRecord): void;
  session(tokenHash: string): SessionRecord | null;
  /** Record use of a session and its new expiry. */
  touchSession(tokenHash: string, lastSeenAt: number, expiresAt: number): void;
  deleteSession(tokenHash: string): void;
  /** End every session of an account. */
  deleteSessions(userId: number): void;
  /** Delete sessions expired at `nowMs`; returns how many. */
  deleteExpiredSessions(nowMs: number): number;
}
