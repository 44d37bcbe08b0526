// Time range: presets relative to now (kept relative in the URL, so a shared "last 24 h" stays that) or a custom
// range in UTC.
import { useEffect, useState } from 'react';

export const PRESETS: Array<{ label: string; since: string | null }> = [
  { label: '1h', since: '1h' },
  { label: '24h', since: '24h' },
  { label: '7d', since: '7d' },
  { label: '30d', since: '30d' },
  { label: 'All', since: null },
];

const toInput = (v: string | null) => {
  if (!v || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return '';
  return v.slice(0, 16);
};
const fromInput = (v: string) => (v ? `${v}:00Z` : null);

export function TimeRange(props: {
  since: string | null;
  until: string | null;
  onChange: (since: string | null, until: string | null) => void;
  /** Label of the no-range choice (default "All"). */
  allLabel?: string;
}) {
  const [custom, setCustom] = useState(false);
  const [from, setFrom] = useState(toInput(props.since));
  const [to, setTo] = useState(toInput(props.until));
  useEffect(() => {
    setFrom(toInput(props.since));
    setTo(toInput(props.until));
  }, [props.since, props.until]);
  const isCustom = custom || (!!props.until || (!!props.since && !PRESETS.some((p) => p.since === props.since)));
  return (
    <div className="time-range" role="group" aria-label="Time range">
      {PRESETS.map((p) => (
        <button
          key={p.label}
          type="button"
          className={`btn small ${!isCustom && props.since === p.since && !props.until ? 'active' : ''}`}
          onClick={() => {
            setCustom(false);
            props.onChange(p.since, null);
          }}
        >
          {p.since === null && props.allLabel ? props.allLabel : p.label}
        </button>
      ))}
      <button type="button" className={`btn small ${isCustom ? 'active' : ''}`} onClick={() => setCustom(true)}>
        Custom
      </button>
      {isCustom && (
        <span className="custom-range">
          <input type="datetime-local" aria-label="From (UTC)" value={from} onChange={(e) => setFrom(e.target.value)} />
          <span>to</span>
          <input type="datetime-local" aria-label="To (UTC)" value={to} onChange={(e) => setTo(e.target.value)} />
          <span className="muted">UTC</span>
          <button type="button" className="btn small" onClick={() => props.onChange(fromInput(from), fromInput(to))}>
            Apply
          </button>
        </span>
      )}
    </div>
  );
}
