// Multi-select of actions with autocomplete from the action catalogue, grouped by category; actions present in the
// store show their count and come first in each group.
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useApi } from '../hooks.ts';
import type { Catalogue } from '../types.ts';
import { fmtCount } from '../format.ts';
import { SafeText } from './SafeText.tsx';

export function ActionPicker(props: { value: string[]; onChange: (v: string[]) => void }) {
  const cat = useApi<Catalogue>('/actions');
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  const groups = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const chosen = new Set(props.value);
    return (cat.data?.categories ?? [])
      .map((g) => ({
        category: g.category,
        actions: g.actions
          .filter((a) => !chosen.has(a.name) && (!needle || a.name.toLowerCase().includes(needle) || g.category.includes(needle)))
          .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
          .slice(0, needle ? 50 : 8),
      }))
      .filter((g) => g.actions.length);
  }, [cat.data, text, props.value]);
  const flat = groups.flatMap((g) => g.actions.map((a) => a.name));

  const add = (name: string) => {
    if (!props.value.includes(name)) props.onChange([...props.value, name]);
    setText('');
    setActive(0);
    input.current?.focus();
  };
  const key = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(flat.length - 1, a + 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(0, a - 1));
    } else if (e.key === 'Enter' && open && text.trim()) {
      e.preventDefault();
      // Enter takes the highlighted suggestion, or the typed name as is (an action the catalogue lacks).
      add(flat[active] ?? text.trim());
    } else if (e.key === 'Backspace' && !text && props.value.length) {
      props.onChange(props.value.slice(0, -1));
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  let idx = -1;
  return (
    <div className="action-picker" onBlur={(e) => !e.currentTarget.contains(e.relatedTarget as Node) && setOpen(false)}>
      <div className="chips" onClick={() => input.current?.focus()}>
        {props.value.map((a) => (
          <span className="chip" key={a}>
            {a}
            <button type="button" aria-label={`remove ${a}`} onClick={() => props.onChange(props.value.filter((x) => x !== a))}>
              ×
            </button>
          </span>
        ))}
        <input
          ref={input}
          aria-label="Action"
          placeholder={props.value.length ? '' : 'Actions…'}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
            setActive(0);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={key}
        />
      </div>
      {open && groups.length > 0 && (
        <div className="suggestions" role="listbox">
          {groups.map((g) => (
            <div key={g.category}>
              <div className="suggest-group">{g.category.replace(/_/g, ' ')}</div>
              {g.actions.map((a) => {
                idx++;
                const i = idx;
                return (
                  <button
                    type="button"
                    role="option"
                    aria-selected={i === active}
                    key={a.name}
                    className={`suggest ${i === active ? 'active' : ''}`}
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => add(a.name)}
                  >
                    <SafeText text={a.name} />
                    <span className="muted">{a.count ? fmtCount(a.count) : ''}</span>
                  </button>
                );
              })}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
