// The filters the alerts and incidents lists share, kept in the URL: comma-separated status and severity lists shown
// as checkboxes, and a user typed into a box that applies on submit. A filter change goes back to the first page.
import { useEffect, useState } from 'react';
import { setParams } from '../router.tsx';
import { ALERT_STATUSES, SEVERITIES } from '../types.ts';

/**
 * The values of a comma-separated URL parameter.
 *
 * @example listParam(new URLSearchParams('status=open,resolved'), 'status') // ['open', 'resolved']
 */
export const listParam = (params: URLSearchParams, key: string): string[] => (params.get(key) ?? '').split(',').filter(Boolean);

/**
 * The parameter value with `v` added or removed; null (the parameter goes) when none is left.
 *
 * @example toggleValue(['open'], 'open') // null
 */
export function toggleValue(values: string[], v: string): string | null {
  const next = values.includes(v) ? values.filter((x) => x !== v) : [...values, v];
  return next.join(',') || null;
}

/**
 * Change filters in the URL: back to the first page.
 *
 * @example setFilter({ status: 'open' });
 */
export const setFilter = (update: Record<string, string | null>) => setParams({ ...update, page: null });

/**
 * The user box's text: typed freely, reset whenever the URL's `user` changes (back, a link, a cleared filter).
 *
 * @example const [user, setUser] = useUserDraft(params);
 */
export function useUserDraft(params: URLSearchParams): [string, (v: string) => void] {
  const [user, setUser] = useState(params.get('user') ?? '');
  useEffect(() => setUser(params.get('user') ?? ''), [params.get('user')]);
  return [user, setUser];
}

/**
 * The Status and Severity checkbox groups over the URL's `status` and `severity`; `count` adds a facet count after
 * each choice.
 *
 * @example <StatusSeverityChecks params={params} count={(dim, name) => ` (${n})`} />
 */
export function StatusSeverityChecks({ params, count }: { params: URLSearchParams; count?: (dim: 'statuses' | 'severities', name: string) => string }) {
  const status = listParam(params, 'status');
  const severity = listParam(params, 'severity');
  return (
    <>
      <fieldset>
        <legend>Status</legend>
        {ALERT_STATUSES.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" checked={status.includes(s)} onChange={() => setFilter({ status: toggleValue(status, s) })} /> {s.replace('_', ' ')}
            {count?.('statuses', s)}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Severity</legend>
        {SEVERITIES.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" checked={severity.includes(s)} onChange={() => setFilter({ severity: toggleValue(severity, s) })} /> {s}
            {count?.('severities', s)}
          </label>
        ))}
      </fieldset>
    </>
  );
}
