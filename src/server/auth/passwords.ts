/**
 * Password hashing with scrypt from node:crypto (no native dependency). The stored form names its parameters, so
 * they can be raised later without invalidating existing hashes: `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>`.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 1 << 15;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  // The async form runs on libuv's thread pool: a login never blocks the event loop for ~50 ms.
  return new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

const options = (n: number, r: number, p: number): ScryptOptions => ({ N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });

/**
 * Hash a password for storage.
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple'); // 'scrypt$32768$8$1$...'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, options(N, R, P));
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * Check a password against a stored hash, in constant time. A malformed stored value never matches.
 *
 * @example
 * await verifyPassword('guess', stored) // false
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length < 16) return false;
  const key = await scrypt(password, salt, expected.length, options(n, r, p));
  return timingSafeEqual(key, expected);
}

/** A hash of a random password: verified against when the user does not exist, so timing does not reveal names. */
let dummy: Promise<string> | null = null;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('hex'));
  return dummy;
}

/**
 * A random password people can type: 20 characters of base64url (about 120 bits).
 *
 * @example generatePassword() // 'q3V0mJ2X9cW1b7yZk4tN'
 */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
