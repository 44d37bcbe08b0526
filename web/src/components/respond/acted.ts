// After any response (sign-out, ended session, allowlist change) the views that list actions reload: the button
// that acted and the list that shows it are often in different components (header slot, page section).
import { useEffect } from 'react';

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
