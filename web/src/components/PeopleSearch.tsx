// The top bar's people search: suggestions (GET /api/v1/people) as the analyst types a name, e-mail or id; Enter or a
// click opens the person's user page. Names and e-mails are rendered as text, never as markup.
import { useEffect, useRef, useState } from 'react';
import { api, qs } from '../api.ts';
import { navigate } from '../router.tsx';

interface Person {
  id: string;
  name: string | null;
  email: string | null;
  last_seen: string;
}

const box = { position: 'relative' as const };
const list = {
  position: 'absolute' as const, top: 32, left: 0, minWidth: 320, margin: 0, padding: 4, listStyle: 'none', zIndex: 10,
  background: '#fff', color: '#102a43', border: '1px solid #cfd4dc', borderRadius: 4, boxShadow: '0 4px 12px rgba(0,0,0,.15)',
};
const item = (active: boolean) => ({ padding: '4px 8px', cursor: 'pointer', borderRadius: 3, background: active ? '#e0eaff' : undefined });

/** @example <PeopleSearch /> // in the header */
export function PeopleSearch() {
  const [q, setQ] = useState('');
  const [people, setPeople] = useState<Person[]>([]);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const asked = useRef(0);

  useEffect(() => {
    const text = q.trim();
    if (!text) return setPeople([]);
    // A short pause so each keystroke does not ask; answers to older keystrokes are dropped.
    const n = ++asked.current;
    const t = setTimeout(() => {
      api
        .get<{ people: Person[] }>(`/people${qs({ q: text.slice(0, 100), limit: 8 })}`)
        .then((r) => n === asked.current && (setPeople(r.people), setActive(0)))
        .catch(() => n === asked.current && setPeople([]));
    }, 150);
    return () => clearTimeout(t);
  }, [q]);

  const go = (p: Person | undefined) => {
    if (!p) return;
    setOpen(false);
    setQ('');
    navigate(`/users/${encodeURIComponent(p.id)}`);
  };

  return (
    <div style={box} className="people-search">
      <input
        type="search"
        aria-label="Find a person"
        placeholder="Find a person…"
        value={q}
        maxLength={100}
        onChange={(e) => (setQ(e.target.value), setOpen(true))}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, people.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else if (e.key === 'Enter') go(people[active]);
          else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && q.trim() && people.length > 0 && (
        <ul style={list} role="listbox" aria-label="People">
          {people.map((p, i) => (
            <li key={p.id} role="option" aria-selected={i === active} style={item(i === active)} onMouseDown={(e) => (e.preventDefault(), go(p))}>
              <strong>{p.name ?? p.id}</strong> <span className="muted">{[p.email, p.id].filter(Boolean).join(' · ')}</span>
            </li>
          ))}
        </ul>
      )}
      {open && q.trim() && people.length === 0 && <ul style={list}><li style={item(false)} className="muted">Nobody found</li></ul>}
    </div>
  );
}
