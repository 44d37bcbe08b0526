/**
 * Slack incoming-webhook sink: one message per alert, with a plain `text` fallback (notifications, screen readers)
 * and Block Kit `blocks` for the channel.
 *
 * Alert fields carry attacker-influenced strings (file names, channel names, user names, UAs). Slack mrkdwn turns
 * `<https://x|label>` into a link, `<@U123>` into a mention and `<!channel>` into a channel-wide ping, so every such
 * string is escaped (`&` `<` `>` → entities, as Slack's formatting docs require) before it goes into mrkdwn: the
 * only `<...>` sequences in a message are none at all. Each string is also cut to a length Slack accepts.
 */
import type { SlackSinkConfig } from './config.ts';
import { postWithTimeout, type FetchLike } from './http.ts';
import type { DeliverableAlert, Sink } from './types.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Escape text for Slack mrkdwn so it cannot create links, mentions or channel pings.
 *
 * @example
 * escapeMrkdwn('<!channel> <https://evil.example|click> & co') // '&lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co'
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to `max` characters (before escaping, so entities are never split), marking the cut. */
function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Escape and cut an arbitrary value for display. */
function show(v: unknown, max: number): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return escapeMrkdwn(cut(s.replace(/[\r\n]+/g, ' '), max));
}

const SEVERITY_ICON: Record<string, string> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

/**
 * A one-line summary of `alert.context` for the message: its `summary` string if it has one, otherwise up to four
 * simple `key: value` facts (`files downloaded: 57 · ip: 203.0.113.7`). Returns unescaped text.
 *
 * @example
 * contextLine({ files_downloaded: 57, ip: '203.0.113.7' }) // 'files downloaded: 57 · ip: 203.0.113.7'
 */
export function contextLine(context: unknown): string | null {
  if (context === null || context === undefined) return null;
  if (typeof context !== 'object') return String(context);
  const o = context as Record<string, unknown>;
  if (typeof o.summary === 'string' && o.summary !== '') return o.summary;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (parts.length >= 4) break;
    let text: string | null = null;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') text = String(v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) {
      text = v.length > 5 ? `${v.slice(0, 5).join(', ')} (+${v.length - 5})` : v.join(', ');
    }
    if (text !== null && text !== '') parts.push(`${k.replace(/_/g, ' ')}: ${text}`);
  }
  return parts.length > 0 ? parts.join(' · ') : null;
}

/** `2024-05-01T12:00:00.000Z` → `2024-05-01 12:00:00 UTC`; other strings are shown as they are. */
function when(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/**
 * The incoming-webhook payload for an alert.
 *
 * @example
 * const msg = formatSlackMessage(alert);
 * await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(msg) });
 */
export function formatSlackMessage(alert: DeliverableAlert): { text: string; blocks: unknown[] } {
  const sev = String(alert.severity ?? '').toLowerCase();
  const icon = SEVERITY_ICON[sev] ?? ':grey_question:';
  const user = alert.user_name ? `${show(alert.user_name, 80)} (${show(alert.user_id, 30)})` : show(alert.user_id ?? 'unknown user', 80);
  const title = show(alert.title, 200);
  const seen = alert.first_seen === alert.last_seen ? when(alert.first_seen) : `${when(alert.first_seen)} → ${when(alert.last_seen)}`;
  const ctx = contextLine(alert.context);
  const events = Array.isArray(alert.event_ids) ? alert.event_ids.length : 0;

  const text = `${icon} [${show(sev.toUpperCase(), 20)}] ${title}: ${user} (rule ${show(alert.rule, 100)})`;
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${show(sev.toUpperCase(), 20)}*  ${title}` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*User*\n${user}` },
        { type: 'mrkdwn', text: `*Rule*\n${show(alert.rule, 200)}` },
        { type: 'mrkdwn', text: `*When*\n${show(seen, 120)}` },
        { type: 'mrkdwn', text: `*Events*\n${events}` },
      ],
    },
  ];
  if (ctx) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: show(ctx, 300) }] });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `gridwatch alert ${show(alert.id, 80)}` }] });
  return { text, blocks };
}

/**
 * Create a Slack sink. `webhookUrl` is the resolved incoming-webhook URL; it is a credential, so it never appears in
 * `describe()` or in error messages.
 *
 * @example
 * const sink = createSlackSink(cfg, process.env.SLACK_HOOK!, { fetch });
 */
export function createSlackSink(cfg: SlackSinkConfig, webhookUrl: string, deps: { fetch: FetchLike }): Sink {
  const name = cfg.name ?? 'slack';
  const url = new URL(webhookUrl);
  return {
    name,
    type: 'slack',
    minSeverity: cfg.min_severity,
    describe: () => `slack ${name} → ${url.host}`,
    async send(alert) {
      const body = JSON.stringify(formatSlackMessage(alert));
      await postWithTimeout({
        url: webhookUrl,
        body,
        headers: { 'Content-Type': 'application/json' },
        timeoutMs: cfg.timeout_ms ?? DEFAULT_TIMEOUT_MS,
        fetch: deps.fetch,
        redact: [webhookUrl, url.pathname],
      });
    },
  };
}
