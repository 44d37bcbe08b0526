import { useCallback, useEffect, useState } from 'react';
import { api, type Params } from './api.ts';

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
