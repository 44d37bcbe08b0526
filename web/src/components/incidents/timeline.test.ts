import { describe, expect, it } from 'vitest';
import type { AlertListItem, EventSummary } from '../../types.ts';
import { buildTimeline, type ContextFacts } from './timeline.ts';

let seq = 0;
function ev(ts: number, action: string, over: Partial<EventSummary> = {}): EventSummary {
  seq += 1;
  return {
    id: `e${seq}`,
    seq,
    ts,
    time: new Date(ts * 1000).toISOString(),
    action,
    actor: { id: 'W1', name: 'Matt', email: null },
    entity: { type: 'file', id: `F${seq}`, name: `file-${seq}.xlsx` },
    channel: null,
    ip: '203.0.113.77',
    session_id: null,
    ua: 'Slack desktop',
    reasons: [],
    ...over,
  };
}

const alert = (ts: number, title: string) => ({ id: `al_${ts}`, title, first_ts: ts, last_ts: ts, reasons: ['excessive_downloads'] }) as unknown as AlertListItem;

const contexts: ContextFacts[] = [
  {
    ips: [{ ip: '198.51.100.9', new_for_user: true, history: null, trusted: { trusted: false }, vpn: null, threat_intel: null, slack_said: [], asn: { asn: 64500, name: 'Example Net' } }],
    user_agents: [{ ua: 'Scrapers Inc', family: 'other', name: 'Scrapers', version: '1.0', expected: false, new_for_user: true, history: null }],
  },
];

describe('buildTimeline', () => {
  it("tells the story in time order: first use of each IP and client, a run of downloads as one step, the alerts after their events", () => {
    const events = [
      ev(100, 'user_login'),
      ev(200, 'file_downloaded', { ip: '198.51.100.9', ua: 'Scrapers Inc' }),
      ev(210, 'file_downloaded', { ip: '198.51.100.9', ua: 'Scrapers Inc' }),
      ev(220, 'file_downloaded', { ip: '198.51.100.9', ua: 'Scrapers Inc' }),
      ev(230, 'anomaly', { ip: '198.51.100.9', ua: 'Scrapers Inc', reasons: ['excessive_downloads'] }),
    ].reverse(); // the API lists newest first
    const items = buildTimeline([alert(230, 'Scraping suspected')], events, contexts);
    expect(items.map((i) => [i.ts, i.kind])).toEqual([
      [100, 'ip'],
      [100, 'client'],
      [100, 'sign-in'],
      [200, 'ip'],
      [200, 'client'],
      [200, 'download'],
      [230, 'anomaly'],
      [230, 'alert'],
    ]);
    const run = items[5]!;
    expect(run.title).toBe('Downloaded 3 files');
    expect(run.files!.map((f) => f.ts)).toEqual([200, 210, 220]);
    expect(items[6]!.tags).toEqual([{ text: 'excessive_downloads', kind: 'bad' }]);
  });

  it("annotates IPs and clients with what the alerts' context knows, and nothing it does not", () => {
    const items = buildTimeline([], [ev(100, 'user_login'), ev(200, 'user_login', { ip: '198.51.100.9', ua: 'Scrapers Inc' })], contexts);
    const ips = items.filter((i) => i.kind === 'ip');
    expect(ips[0]!.tags).toEqual([]);
    expect(ips[1]!.tags.map((t) => t.text)).toEqual(['new for user', 'not trusted', 'AS64500 Example Net']);
    const client = items.filter((i) => i.kind === 'client')[1]!;
    expect(client.title).toBe('First use of client Scrapers 1.0 (Scrapers Inc)');
    expect(client.tags.map((t) => t.text)).toEqual(['unexpected', 'new for user']);
  });

  it('groups repeated other actions, but not across a different action', () => {
    const items = buildTimeline([], [ev(1, 'channel_created'), ev(2, 'channel_created'), ev(3, 'file_downloaded'), ev(4, 'channel_created')], []);
    expect(items.filter((i) => i.kind !== 'ip' && i.kind !== 'client').map((i) => i.title)).toEqual(['2× channel_created', `Downloaded file-${seq - 1}.xlsx`, 'channel_created']);
  });
});
