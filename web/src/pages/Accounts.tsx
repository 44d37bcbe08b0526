// Admins manage the UI's local accounts. A new account without a password gets a generated one, shown once here.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api.ts';
import { GridTable } from '../components/GridTable.tsx';
import { fmtTime } from '../format.ts';
import { useApi } from '../hooks.ts';
import type { Account } from '../types.ts';

const ROLES = ['viewer', 'responder', 'admin'] as const;

export default function Accounts() {
  const list = useApi<{ accounts: Account[] }>('/accounts');
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('viewer');
  const [created, setCreated] = useState<{ name: string; password: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (f: () => Promise<unknown>) => {
    setError(null);
    try {
      await f();
      list.reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.post<{ account: Account; password?: string }>('/accounts', { name, role });
      if (r.password) setCreated({ name: r.account.name, password: r.password });
      setName('');
    });
  };
  return (
    <div className="page accounts">
      <h1>Accounts</h1>
      {error && <p className="error">{error}</p>}
      {created && (
        <p className="note">
          Account <strong>{created.name}</strong> created. One-time password (shown once, to be changed at first login): <code>{created.password}</code>
        </p>
      )}
      <form className="filters" onSubmit={add}>
        <label><span>Name</span><input aria-label="Account name" value={name} onChange={(e) => setName(e.target.value)} required /></label>
        <label>
          <span>Role</span>
          <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
            {ROLES.map((r) => <option key={r}>{r}</option>)}
          </select>
        </label>
        <button className="btn primary" type="submit">Add account</button>
      </form>
      <GridTable columns={['Name', 'Role', 'Last login', '']}>
        {(list.data?.accounts ?? []).map((a) => (
          <tr key={a.id}>
            <td>{a.name}{a.mustChange ? <span className="muted"> (one-time password)</span> : null}</td>
            <td>
              <select aria-label={`role of ${a.name}`} value={a.role} onChange={(e) => run(() => api.patch(`/accounts/${a.id}`, { role: e.target.value }))}>
                {ROLES.map((r) => <option key={r}>{r}</option>)}
              </select>
            </td>
            <td className="mono">{a.lastLoginAt ? fmtTime(new Date(a.lastLoginAt).toISOString()) : 'never'}</td>
            <td>
              <button type="button" className="btn small" onClick={() => confirm(`Remove ${a.name}?`) && run(() => api.del(`/accounts/${a.id}`))}>
                Remove
              </button>
            </td>
          </tr>
        ))}
      </GridTable>
    </div>
  );
}
