/** The accounts-store contract, run unchanged on SQLite and PostgreSQL (`test/store-backends.ts`). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeBackends } from '../../../test/store-backends.ts';
import type { AccountStore, SessionRecord } from '../accounts.ts';
import type { OpenedStore } from '../index.ts';

const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  tokenHash: 'h1', userId: 1, csrf: 'c1', createdAt: 1000, lastSeenAt: 1000, expiresAt: 5000, ip: '127.0.0.1', ua: 'ua', ...over,
});

for (const backend of storeBackends('the accounts store')) describe.skipIf(backend.skip)(`account store: ${backend.name}`, () => {
  backend.setup();
  let store: OpenedStore;
  let accounts: AccountStore;
  beforeEach(async () => {
    store = await backend.open();
    accounts = store.accountStore();
  });
  afterEach(async () => store.close());
  it('stores an account and reads it back whole, by id and by name in any case; a taken name gives null', async () => {
    const a = await accounts.createAccount({ name: 'Ana', role: 'responder', passwordHash: 'scrypt$x', mustChange: true }, 1234);
    expect(a).toEqual({ id: a!.id, name: 'Ana', role: 'responder', passwordHash: 'scrypt$x', mustChange: true, createdAt: 1234, updatedAt: 1234, lastLoginAt: null });
    expect(await accounts.account(a!.id)).toEqual(a);
    expect(await accounts.accountByName('aNA')).toEqual(a);
    expect(await accounts.createAccount({ name: 'ANA', role: 'viewer', passwordHash: 'y', mustChange: false }, 1)).toBeNull();
    expect(await accounts.accountByName('bob')).toBeNull();
  });

  it('lists by name, counts all or one role, and updates role, hash and last login', async () => {
    const z = (await accounts.createAccount({ name: 'zed', role: 'admin', passwordHash: 'h', mustChange: false }, 1))!;
    await accounts.createAccount({ name: 'amy', role: 'viewer', passwordHash: 'h', mustChange: false }, 1);
    expect((await accounts.listAccounts()).map((a) => a.name)).toEqual(['amy', 'zed']);
    expect([await accounts.countAccounts(), await accounts.countAccounts('admin'), await accounts.countAccounts('responder')]).toEqual([2, 1, 0]);
    expect(await accounts.setRole(z.id, 'viewer', 50)).toBe(true);
    expect(await accounts.setPasswordHash(z.id, 'h2', true, 60)).toBe(true);
    await accounts.touchLogin(z.id, 70);
    expect(await accounts.account(z.id)).toMatchObject({ role: 'viewer', passwordHash: 'h2', mustChange: true, updatedAt: 60, lastLoginAt: 70 });
    expect(await accounts.setRole(999, 'admin', 1)).toBe(false);
    expect(await accounts.setPasswordHash(999, 'h', false, 1)).toBe(false);
  });

  it('keeps sessions: read back, touched, deleted one, per account, when expired, and with their account', async () => {
    const a = (await accounts.createAccount({ name: 'ana', role: 'viewer', passwordHash: 'h', mustChange: false }, 1))!;
    const b = (await accounts.createAccount({ name: 'bob', role: 'viewer', passwordHash: 'h', mustChange: false }, 1))!;
    await accounts.createSession(session({ tokenHash: 'a1', userId: a.id, expiresAt: 2000 }));
    await accounts.createSession(session({ tokenHash: 'a2', userId: a.id, expiresAt: 9000 }));
    await accounts.createSession(session({ tokenHash: 'b1', userId: b.id, expiresAt: 9000, ip: null, ua: null }));
    expect(await accounts.session('b1')).toEqual(session({ tokenHash: 'b1', userId: b.id, expiresAt: 9000, ip: null, ua: null }));
    await accounts.touchSession('a2', 3000, 9500);
    expect(await accounts.session('a2')).toMatchObject({ lastSeenAt: 3000, expiresAt: 9500 });
    expect(await accounts.deleteExpiredSessions(2000)).toBe(1);
    expect(await accounts.session('a1')).toBeNull();
    await accounts.deleteSession('a2');
    expect(await accounts.session('a2')).toBeNull();
    await accounts.createSession(session({ tokenHash: 'a3', userId: a.id }));
    await accounts.deleteSessions(a.id);
    expect([await accounts.session('a3'), (await accounts.session('b1'))?.tokenHash]).toEqual([null, 'b1']);
    expect(await accounts.removeAccount(b.id)).toBe(true);
    expect([await accounts.account(b.id), await accounts.session('b1')]).toEqual([null, null]);
    expect(await accounts.removeAccount(b.id)).toBe(false);
  });
});

