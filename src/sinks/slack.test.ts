import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextLine, createSlackSink, escapeMrkdwn, formatSlackMessage } from './slack.ts';
import { alert, startReceiver, type Receiver } from './test-support.ts';

/** Every mrkdwn string in a message: the fallback text and all block texts. */
function mrkdwnStrings(msg: { text: string; blocks: unknown[] }): string[] {
  const out = [msg.text];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(msg.blocks);
  return out;
}

describe('escapeMrkdwn', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U123ABC>', '&lt;@U123ABC&gt;'],
    ['<https://evil.example|Click to verify>', '&lt;https://evil.example|Click to verify&gt;'],
    ['&lt; already', '&amp;lt; already'],
    ['plain', 'plain'],
  ])('%s → %s', (input, out) => {
    expect(escapeMrkdwn(input)).toBe(out);
  });
});

describe('formatSlackMessage', () => {
  it('summarises severity, rule, user, title, time and context', () => {
    const msg = formatSlackMessage(alert());
    const all = mrkdwnStrings(msg).join('\n');
    expect(msg.text).toContain('[HIGH]');
    expect(msg.text).toContain('Mass file download');
    expect(all).toContain('mass-download');
    expect(all).toContain('User McUser (W0EXAMPLE1)');
    expect(all).toContain('2024-05-01 12:00:00 UTC → 2024-05-01 12:09:30 UTC');
    expect(all).toContain('files downloaded: 57 · ip: 203.0.113.44');
    expect(all).toContain('*Events*\n3');
    expect(all).toContain('gridwatch alert al-1');
  });

  it('neutralises hostile strings in every field: no links, mentions or pings', () => {
    const evil = '<!channel> <@U0ADMIN> <https://evil.example/login|Reset your password> & <!here|x>';
    const msg = formatSlackMessage(alert({
      id: evil,
      rule: evil,
      title: evil,
      user_id: evil,
      user_name: evil,
      severity: `high<!everyone>`,
      first_seen: evil,
      last_seen: evil,
      context: { summary: evil },
    }));
    for (const s of mrkdwnStrings(msg)) {
      expect(s, s).not.toMatch(/[<>]/);
      expect(s).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    // And the text is still readable.
    expect(msg.text).toContain('&lt;!channel&gt;');
  });

  it('escapes context keys and values, and cuts long strings', () => {
    const msg = formatSlackMessage(alert({ title: 'x'.repeat(5000), context: { '<b>': '<!channel>', files: ['a<', 'b'] } }));
    const all = mrkdwnStrings(msg);
    expect(all.join('\n')).not.toMatch(/[<>]/);
    expect(Math.max(...all.map((s) => s.length))).toBeLessThan(3000);
  });

  it('copes with a missing user and unknown severity', () => {
    const msg = formatSlackMessage(alert({ user_id: null, user_name: null, severity: 'weird', context: undefined }));
    expect(msg.text).toContain('unknown user');
    expect(msg.text).toContain('[WEIRD]');
    expect(msg.blocks).toHaveLength(3);
  });
});

describe('contextLine', () => {
  it.each([
    [{ summary: '57 files from #finance' }, '57 files from #finance'],
    [{ files_downloaded: 57, ip: '203.0.113.44', nested: { x: 1 } }, 'files downloaded: 57 · ip: 203.0.113.44'],
    [{ reasons: ['tor', 'ip_address'] }, 'reasons: tor, ip_address'],
    [{ ids: [1, 2, 3, 4, 5, 6, 7] }, 'ids: 1, 2, 3, 4, 5 (+2)'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5 }, 'a: 1 · b: 2 · c: 3 · d: 4'],
    [{}, null],
    [null, null],
    ['just text', 'just text'],
  ])('%j → %s', (ctx, line) => {
    expect(contextLine(ctx)).toBe(line);
  });
});

describe('slack sink', () => {
  let rx: Receiver;
  beforeEach(async () => {
    rx = await startReceiver();
  });
  afterEach(() => rx.close());

  it('posts the message as JSON', async () => {
    const sink = createSlackSink({ type: 'slack', webhook_url: rx.url }, rx.url, { fetch });
    await sink.send(alert(), 'd1');
    const body = JSON.parse(rx.requests[0]!.body) as { text: string; blocks: unknown[] };
    expect(body).toEqual(formatSlackMessage(alert()));
    expect(rx.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it('never puts the webhook URL (a credential) in errors or descriptions', async () => {
    const secretUrl = `${rx.url}/T000/B000/XXXXSECRETXXXX`;
    const sink = createSlackSink({ type: 'slack', webhook_url: secretUrl, timeout_ms: 200 }, secretUrl, {
      fetch: async () => {
        throw new Error(`connect failed for ${secretUrl}`);
      },
    });
    const err = (await sink.send(alert(), 'd1').catch((e: Error) => e)) as Error;
    expect(err.message).not.toContain('XXXXSECRETXXXX');
    expect(sink.describe()).not.toContain('XXXXSECRETXXXX');
  });
});
