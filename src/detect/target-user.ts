/**
 * The user a role or permission was given to. `role_change_to_admin` and its kin log the promoted user as the
 * entity; `role_assigned` and `permissions_assigned` log the role as the entity and the user's id in
 * `details.target_user` (a string user id; docs/slack-api.md 2.3, java-slack-sdk `LogsResponse.Details`). Rules with
 * `subject: target_user` make that user the alert's user, so the alert lands with the person who got the power.
 */
import type { Subject } from './compiled.ts';
import type { EventView } from './event-view.ts';

const str = (x: unknown): string | null => (typeof x === 'string' && x !== '' ? x : null);

/**
 * The target user of an event: the entity when it is a user, else `details.target_user` (a user id, or an
 * `{id, name, email}` object should Slack send one), else nobody.
 *
 * @example targetUserOf(view) // { id: 'W0EVE', name: 'Eve', email: 'eve@acme.example' }
 */
export function targetUserOf(v: EventView): Subject {
  if ((v.norm.entityType ?? 'user') === 'user' && v.norm.entityId) {
    return { id: v.norm.entityId, name: v.norm.entityName, email: str(v.rawPath(['entity', 'user', 'email'])) };
  }
  const t = v.rawPath(['details', 'target_user']);
  if (t !== null && typeof t === 'object' && !Array.isArray(t)) {
    const o = t as Record<string, unknown>;
    return { id: str(o.id), name: str(o.name), email: str(o.email) };
  }
  return { id: str(t) ?? (typeof t === 'number' ? String(t) : null), name: null, email: null };
}
