// After any response (sign-out, ended session, allowlist change) the views that list actions reload: the button
// that acted and the list that shows it are often in different components (header slot, page section).
import { useEffect, useState } from 'react';
import { errorMessage } from '../../api.ts';
import type { ActionResult } from './types.ts';

const EVENT = 'gridwatch:acted';

/** Tell every mounted view that an action was recorded. */
export function announceActed(): void {
  window.dispatchEvent(new Event(EVENT));
}

/**
 * Run `reload` whenever an action is recorded (pass a stable function, e.g. `useApi(...).reload`).
 *
 * @example useOnActed(alert.reload);
 */
export function useOnActed(reload: () => void): void {
  useEffect(() => {
    window.addEventListener(EVENT, reload);
    return () => window.removeEventListener(EVENT, reload);
  }, [reload]);
}

/** What a confirmation dialog shows once its call is done: the recorded outcome, or the error as a failed one. */
export type CallOutcome = Pick<ActionResult, 'ok' | 'message'>;

/**
 * A response call made from a confirmation dialog: busy while it runs, its outcome (a thrown error becomes a failed
 * outcome with the error's message), and every view that lists actions told afterwards, success or not (a failed call
 * is recorded too).
 *
 * @example const { run, busy, result } = useResponseCall(() => api.post<ActionResult>('/respond/end-session', body));
 */
export function useResponseCall(call: () => Promise<CallOutcome>): { run: () => Promise<void>; busy: boolean; result: CallOutcome | null } {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<CallOutcome | null>(null);
  const run = async () => {
    setBusy(true);
    try {
      setResult(await call());
    } catch (e) {
      setResult({ ok: false, message: errorMessage(e) });
    } finally {
      setBusy(false);
      announceActed();
    }
  };
  return { run, busy, result };
}
