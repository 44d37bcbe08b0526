// The login page, and the form that replaces a one-time password.
import { useState, type FormEvent } from 'react';
import { api, errorMessage, setCsrf } from '../api.ts';
import { useSubmit } from '../hooks.ts';
import type { Me } from '../types.ts';

export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    const me = await api.post<Me>('/auth/login', { name, password });
    setCsrf(me.csrf);
    onLogin(me);
  });
  return (
    <div className="login">
      <form onSubmit={submit} aria-label="Log in">
        <h1>gridwatch</h1>
        <p className="muted">Slack Enterprise Grid audit logs</p>
        <label><span>Name</span><input name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required autoFocus /></label>
        <label><span>Password</span><input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button className="btn primary" type="submit" disabled={busy}>Log in</button>
      </form>
    </div>
  );
}

export function ChangePassword({ onDone, forced }: { onDone: (me: Me) => void; forced: boolean }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== again) return setError('the two new passwords differ');
    try {
      const me = await api.post<Me>('/auth/password', { current, password });
      setCsrf(me.csrf);
      onDone(me);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <div className="login">
      <form onSubmit={submit} aria-label="Change password">
        <h1>{forced ? 'Choose your password' : 'Change password'}</h1>
        {forced && <p className="muted">You logged in with a one-time password: choose your own (at least 12 characters).</p>}
        <label><span>Current password</span><input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required /></label>
        <label><span>New password</span><input type="password" autoComplete="new-password" minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} required /></label>
        <label><span>New password again</span><input type="password" autoComplete="new-password" minLength={12} value={again} onChange={(e) => setAgain(e.target.value)} required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button className="btn primary" type="submit">Save password</button>
      </form>
    </div>
  );
}
