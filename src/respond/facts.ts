/**
 * What the store already knows about the users a response targets, shown before acting: when each was last seen,
 * and whether Slack's Anomaly Event Response already reset their sessions (docs/slack-api.md 3.3) after the alert.
 */
import type { ResponderReads } from '../store/responder-reads.ts';
import { isoSeconds as iso } from '../util/time.ts';

/** The alert a response comes from, as far as this needs it. */
export interface AlertRef {
  id: string;
  /** Last event of the alert, Unix seconds. */
  lastTs: number;
}

export interface UserFacts {
  userId: string;
  lastSeen: number | null;
  /** Newest AER reset (after the alert's last event when there is an alert), Unix seconds, or null. */
  aerReset: number | null;
}

/**
 * Gather the facts for these users (the first `max`, default 20).
 *
 * @example await userFacts(store.responderReads(), ['W0MATT0001'], { id: 'a1', lastTs: 1767139000 })
 */
export async function userFacts(reads: ResponderReads, users: readonly string[], alert: AlertRef | null, max = 20): Promise<UserFacts[]> {
  const out: UserFacts[] = [];
  for (const userId of [...new Set(users)].slice(0, max)) {
    const resets = await reads.aerResets(userId, alert ? alert.lastTs : 0);
    out.push({ userId, lastSeen: await reads.userLastSeen(userId), aerReset: resets.at(-1) ?? null });
  }
  return out;
}

/**
 * The facts as lines for a person.
 *
 * @example describeFacts(facts, alert, 1)
 * // 'W0MATT0001: last seen 2025-12-31T10:41:00Z; Slack's Anomaly Event Response already reset all sessions at …'
 */
export function describeFacts(facts: readonly UserFacts[], alert: AlertRef | null, total: number): string {
  const lines = facts.map((f) => {
    const seen = f.lastSeen === null ? 'never seen in the stored audit log' : `last seen ${iso(f.lastSeen)}`;
    let aer = alert ? `no Anomaly Event Response reset after alert ${alert.id}` : 'no Anomaly Event Response reset stored';
    if (f.aerReset !== null) {
      const after = alert ? ` after alert ${alert.id}` : '';
      const since = f.lastSeen !== null && f.lastSeen > f.aerReset ? ' (the user was active again since)' : ' (no activity since)';
      aer = `Slack's Anomaly Event Response already reset all sessions at ${iso(f.aerReset)}${after}${since}`;
    }
    return `  ${f.userId}: ${seen}; ${aer}`;
  });
  if (total > facts.length) lines.push(`  … and ${total - facts.length} more users`);
  return ['What the store knows:', ...lines].join('\n');
}
