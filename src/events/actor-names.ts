/**
 * The Actor filter accepts a person's id, e-mail or name (`events --actor "Matt Levene"`, `actor=` in the API):
 * resolved to actor ids through the store's people directory (`store/search.ts`), case ignored, exact value.
 */
import type { PersonMatch } from '../store/search.ts';
import type { EventQuery, Store } from '../store/types.ts';

export interface ResolvedActor {
  /** The filter for the store: one id, or several (`actors`, any of them). */
  query: Pick<EventQuery, 'actor' | 'actors'>;
  /** The people the value named (empty when taken as an id as given). */
  matched: PersonMatch[];
}

/**
 * An id the directory knows, or a value nobody is named (an id not seen yet, an old id), stays as given; a name or
 * e-mail shared by several people matches any of them, and `matched` says who.
 *
 * @example await resolveActor(store, 'Matt Levene') // { query: { actor: 'W0MATT0001' }, matched: [{ id: 'W0MATT0001', ... }] }
 */
export async function resolveActor(store: Store, value: string): Promise<ResolvedActor> {
  const people = (await store.eventSearch?.().peopleNamed(value)) ?? [];
  if (!people.length || people.some((p) => p.id === value)) return { query: { actor: value }, matched: [] };
  if (people.length === 1) return { query: { actor: people[0]!.id }, matched: people };
  return { query: { actors: people.map((p) => p.id) }, matched: people };
}
