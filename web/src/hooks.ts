import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, errorMessage, type Params } from './api.ts';

export interface Loaded<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  reload: () => void;
}

/**
 * GET an API path whenever it or its parameters change; stale responses are aborted, so a fast typist never sees an
 * older answer replace a newer one.
 */
export function useApi<T>(path: string | null, params: Params = {}): Loaded<T> {
  const key = path === null ? null : path + JSON.stringify(params);
  const [state, setState] = useState<{ key: string | null; data: T | null; error: Error | null; loading: boolean }>({
    key: null,
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    api
      .get<T>(path, params, ctl.signal)
      .then((data) => setState({ key, data, error: null, loading: false }))
      .catch((error: Error) => {
        if (error.name !== 'AbortError') setState((s) => ({ ...s, error, loading: false }));
      });
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Submit {
  /** The form's `onSubmit`: runs the action once, clearing the previous error first. */
  submit: (e: FormEvent) => Promise<void>;
  /** True while the action runs (to disable the submit button). */
  busy: boolean;
  /** The message of the last failure, or null. */
  error: string | null;
}

/**
 * A form submission to the API: prevents the page load, tracks `busy`, and turns a failure into `error`.
 *
 * @example
 * const { submit, busy, error } = useSubmit(() => api.post('/auth/login', { name, password }));
 * <form onSubmit={submit}>… <button disabled={busy}>Log in</button></form>
 */
export function useSubmit(action: () => Promise<unknown>): Submit {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error };
}
