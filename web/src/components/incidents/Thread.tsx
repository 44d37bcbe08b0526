// The incident's comment thread, oldest first, and (for responders and admins) the box to add one.
import { useState } from 'react';
import { api } from '../../api.ts';
import { fmtTime } from '../../format.ts';
import { useSubmit } from '../../hooks.ts';
import { canRespond, useSession } from '../../session.tsx';
import { SafeText } from '../SafeText.tsx';
import type { IncidentComment } from './types.ts';

/**
 * Comments with author and time, and the form that posts a new one.
 *
 * @example <Thread incidentId={d.incident.id} comments={d.comments} onPosted={reload} />
 */
export function Thread({ incidentId, comments, onPosted }: { incidentId: string; comments: IncidentComment[]; onPosted: () => void }) {
  const me = useSession();
  const [text, setText] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    await api.post(`/incidents/${encodeURIComponent(incidentId)}/comments`, { text });
    setText('');
    onPosted();
  });
  return (
    <section data-testid="incident-comments">
      <h3>Comments ({comments.length})</h3>
      {comments.length === 0 && <p className="muted">No comments yet.</p>}
      <ol className="comments">
        {comments.map((c) => (
          <li key={c.id}>
            <strong>
              <SafeText text={c.author} />
            </strong>{' '}
            <span className="muted mono">{fmtTime(c.at)}</span>
            <SafeText className="comment-text" text={c.text} />
          </li>
        ))}
      </ol>
      {canRespond(me.role) && (
        <form className="comment-form" onSubmit={submit} aria-label="Add comment">
          <textarea aria-label="Comment" placeholder="What did you find? What did you do?" value={text} maxLength={10_000} onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="btn primary small" disabled={busy || !text.trim()}>
            Add comment
          </button>
          {error && <span className="error">{error}</span>}
        </form>
      )}
    </section>
  );
}
