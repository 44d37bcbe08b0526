// The Audit Logs filters. Everything lives in the URL (`?action=a,b&actor=...&since=24h`): chips and the time range
// apply at once, text fields on Enter or Apply.
import { useEffect, useState, type FormEvent } from 'react';
import { setParams, useLocation } from '../router.tsx';
import { useApi } from '../hooks.ts';
import { visibleText } from '../untrusted.ts';
import { ActionPicker } from './ActionPicker.tsx';
import { TimeRange } from './TimeRange.tsx';

export const TEXT_FILTERS = [
  { key: 'actor', label: 'Actor', placeholder: 'user id or email' },
  { key: 'entity', label: 'Entity', placeholder: 'file, channel, user… id' },
  { key: 'ip', label: 'IP', placeholder: '203.0.113.7 or 203.0.113.0/24' },
  { key: 'asn', label: 'ASN', placeholder: '13335' },
  { key: 'channel', label: 'Channel', placeholder: 'message channel id' },
  { key: 'session', label: 'Session', placeholder: 'session id' },
  { key: 'q', label: 'Text', placeholder: 'free text, e.g. Glengarry' },
] as const;

export const FILTER_KEYS = ['action', 'actor', 'entity', 'ip', 'asn', 'channel', 'session', 'reason', 'q', 'since', 'until'] as const;

/** The filter parameters of a URL, as API parameters. */
export function filtersOf(params: URLSearchParams): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of FILTER_KEYS) out[k] = params.get(k) ?? undefined;
  return out;
}

export function EventFilters() {
  const { params } = useLocation();
  const reasons = useApi<{ reasons: Array<{ name: string; count: number }> }>('/reasons');
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    setDraft(Object.fromEntries(TEXT_FILTERS.map((f) => [f.key, params.get(f.key) ?? ''])));
    // Re-sync the text fields when the URL changes (back button, a link to a filtered view).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [params.toString()]);
  const actions = (params.get('action') ?? '').split(',').filter(Boolean);
  const apply = (e?: FormEvent) => {
    e?.preventDefault();
    setParams({ ...Object.fromEntries(TEXT_FILTERS.map((f) => [f.key, draft[f.key]?.trim() || null])), event: null });
  };
  const active = FILTER_KEYS.some((k) => params.get(k));
  return (
    <form className="filters" onSubmit={apply} aria-label="Filters">
      <div className="filter-row">
        <TimeRange since={params.get('since')} until={params.get('until')} onChange={(since, until) => setParams({ since, until, event: null })} />
      </div>
      <div className="filter-row">
        <label className="grow">
          <span>Action</span>
          <ActionPicker value={actions} onChange={(v) => setParams({ action: v.join(',') || null, event: null })} />
        </label>
        <label>
          <span>Anomaly reason</span>
          <select aria-label="Anomaly reason" value={params.get('reason') ?? ''} onChange={(e) => setParams({ reason: e.target.value || null, event: null })}>
            <option value="">any</option>
            {(reasons.data?.reasons ?? []).map((r) => (
              <option key={r.name} value={r.name}>
                {visibleText(r.name)} ({r.count})
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="filter-row">
        {TEXT_FILTERS.map((f) => (
          <label key={f.key}>
            <span>{f.label}</span>
            <input
              aria-label={f.label}
              placeholder={f.placeholder}
              value={draft[f.key] ?? ''}
              onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
            />
          </label>
        ))}
        <button type="submit" className="btn primary">
          Apply
        </button>
        {active && (
          <button
            type="button"
            className="btn"
            onClick={() => setParams(Object.fromEntries([...FILTER_KEYS, 'event'].map((k) => [k, null])))}
          >
            Clear
          </button>
        )}
      </div>
    </form>
  );
}
