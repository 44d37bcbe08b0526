// The confirmation dialog every response goes through: modal, named, Escape or Cancel closes it (without closing the
// details panel behind it), and the outcome of the call is shown in it.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { ActionResult } from './types.ts';
import { SafeText } from '../SafeText.tsx';
import './respond.css';

/**
 * A modal dialog with a title; `children` is its body (form, facts, buttons).
 *
 * @example <Dialog title="Sign out of Slack" onClose={close}>…</Dialog>
 */
export function Dialog({ title, onClose, children, testId }: { title: string; onClose: () => void; children: ReactNode; testId?: string }) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  }, []);
  const key = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    // The details panel closes on Escape too (a window listener): this key is the dialog's only.
    e.stopPropagation();
    onClose();
  };
  return (
    <div className="respond-backdrop" onKeyDown={key}>
      <div className="respond-dialog" role="dialog" aria-modal="true" aria-labelledby={id} ref={box} data-testid={testId}>
        <h2 id={id}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/**
 * Slack's answer to a call: success, or the one-line error that says what to do.
 *
 * @example {result && <Outcome result={result} />}
 */
export function Outcome({ result }: { result: Pick<ActionResult, 'ok' | 'message'> }) {
  return (
    <p className={result.ok ? 'respond-outcome ok' : 'respond-outcome failed'} role="status" data-testid="respond-outcome">
      {result.ok ? 'Done.' : 'Failed: '}
      {/* A success's message is often just "done": say it once. */}
      {(!result.ok || result.message !== 'done') && <SafeText text={` ${result.message}`} />}
    </p>
  );
}

/** The reason the action log keeps with the action. */
export function ReasonField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <label className="respond-field">
      <span>Reason (kept in the action log)</span>
      <textarea aria-label="Reason" rows={2} maxLength={2000} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
