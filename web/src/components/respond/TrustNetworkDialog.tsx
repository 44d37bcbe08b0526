// "Trust this IP / its network / its ASN": pick the entry and where it goes (Slack's anomaly allowlist, the local
// config lists the rules use, or both); the server merges it onto the list it reads and the preview shows the whole
// merged list and the diff before anything is written (Slack's updateItem overwrites the list). The apply step says
// when the list changed between the read and the write.
import { useState } from 'react';
import { api, errorMessage } from '../../api.ts';
import { SafeText } from '../SafeText.tsx';
import { announceActed } from './acted.ts';
import { Dialog, Outcome } from './Dialog.tsx';
import type { AllowlistApplied, AllowlistChange, AllowlistEntries, AllowlistPreview, AllowlistSide, AllowlistTarget } from './types.ts';

type What = 'ip' | 'network' | 'asn';

/**
 * The /24 around an IPv4 address ("its network" by default; the responder can edit it). Null for anything else.
 *
 * @example network24('203.0.113.77') // '203.0.113.0/24'
 */
export function network24(ip: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  return m ? `${m[1]}.${m[2]}.${m[3]}.0/24` : null;
}

/** One list (CIDRs then ASNs) after the change, entries added marked, entries removed struck through. */
function SideDiff({ title, side }: { title: string; side: AllowlistSide }) {
  const added = new Set<string | number>([...side.added.cidrs, ...side.added.asns]);
  const entries = (e: AllowlistEntries) => [...e.cidrs, ...e.asns.map((a) => a)];
  const label = (v: string | number) => (typeof v === 'number' ? `AS${v}` : v);
  const after = entries(side.after);
  const removed = entries(side.removed);
  const unchanged = !added.size && !removed.length;
  return (
    <div className="respond-diff" data-testid={`allowlist-diff-${title.split(' ')[0]!.toLowerCase()}`}>
      <h3>{title}</h3>
      <p>
        {unchanged ? 'No change: already there.' : `Adds ${added.size}, removes ${removed.length}; ${after.length} entr${after.length === 1 ? 'y' : 'ies'} after the write.`}
      </p>
      <ul>
        {after.map((v) => (
          <li key={String(v)} className={added.has(v) ? 'added' : ''}>
            {added.has(v) ? '+ ' : ''}
            <SafeText text={label(v)} />
          </li>
        ))}
        {removed.map((v) => (
          <li key={`-${v}`} className="removed">
            <SafeText text={label(v)} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * @example <TrustNetworkDialog ip="203.0.113.77" asn={64500} onClose={close} />
 */
export function TrustNetworkDialog({ ip, asn, onClose }: { ip: string; asn?: number | null; onClose: () => void }) {
  const [what, setWhat] = useState<What>('ip');
  const [network, setNetwork] = useState(network24(ip) ?? `${ip}`);
  const [to, setTo] = useState<AllowlistTarget>('slack');
  const [preview, setPreview] = useState<AllowlistPreview | null>(null);
  const [applied, setApplied] = useState<AllowlistApplied | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const body = (): AllowlistChange =>
    what === 'asn' && asn ? { op: 'add', asns: [asn], to } : { op: 'add', cidrs: [what === 'ip' ? ip : network.trim()], to };
  const run = async (step: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const doPreview = () => run(async () => setPreview(await api.post<AllowlistPreview>('/allowlist/preview', body())));
  const doApply = () =>
    run(async () => {
      try {
        setApplied(await api.post<AllowlistApplied>('/allowlist/apply', body()));
      } finally {
        announceActed();
      }
    });
  // Any change to the choice makes the preview stale: it must be shown again before writing.
  const change = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPreview(null);
  };
  const ready = preview && !preview.errors.length;
  return (
    <Dialog title="Trust this IP, its network or its ASN" onClose={onClose} testId="trust-dialog">
      <fieldset className="respond-choices" disabled={!!applied}>
        <legend>Trust</legend>
        <label>
          <input type="radio" name="what" checked={what === 'ip'} onChange={() => change(setWhat)('ip')} /> this IP <span className="mono"><SafeText text={ip} /></span>
        </label>
        <label>
          <input type="radio" name="what" checked={what === 'network'} onChange={() => change(setWhat)('network')} /> its network{' '}
          <input aria-label="Network (CIDR)" className="mono" value={network} onChange={(e) => change(setNetwork)(e.target.value)} onFocus={() => change(setWhat)('network')} />
        </label>
        {asn ? (
          <label>
            <input type="radio" name="what" checked={what === 'asn'} onChange={() => change(setWhat)('asn')} /> its ASN <span className="mono">AS{asn}</span>
          </label>
        ) : null}
      </fieldset>
      <label className="respond-field">
        <span>Write to</span>
        <select aria-label="Write to" value={to} disabled={!!applied} onChange={(e) => change(setTo)(e.target.value as AllowlistTarget)}>
          <option value="slack">Slack's anomaly allowlist only</option>
          <option value="both">Slack's anomaly allowlist and the local config</option>
          <option value="local">the local config only (the rules use it from the next run)</option>
        </select>
      </label>
      {error && <p className="error">{error}</p>}
      {preview?.errors.map((e) => (
        <p key={e} className="error">
          <SafeText text={e} />
        </p>
      ))}
      {preview?.slack && <SideDiff title="Slack's anomaly allowlist" side={preview.slack} />}
      {preview?.local && <SideDiff title="Local config lists" side={preview.local} />}
      {applied && (
        <>
          <Outcome result={applied} />
          {applied.concurrent_change && (
            <p className="note" data-testid="concurrent-change">
              Someone else changed Slack's list between gridwatch's read and its write: check the list (gridwatch allowlist show) before relying on it.
            </p>
          )}
        </>
      )}
      <div className="buttons">
        <button type="button" className="btn" onClick={onClose}>
          {applied ? 'Close' : 'Cancel'}
        </button>
        {!applied && (
          <button type="button" className="btn" disabled={busy} onClick={doPreview}>
            Preview the change
          </button>
        )}
        {!applied && (
          <button type="button" className="btn primary" disabled={busy || !ready} onClick={doApply} title={ready ? '' : 'Preview the change first'}>
            Write the list
          </button>
        )}
      </div>
    </Dialog>
  );
}

/** The button that opens the trust dialog. */
export function TrustButton({ ip, asn }: { ip: string; asn?: number | null }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="btn small" onClick={() => setOpen(true)}>
        Trust this IP / network / ASN
      </button>
      {open && <TrustNetworkDialog ip={ip} asn={asn} onClose={() => setOpen(false)} />}
    </>
  );
}
