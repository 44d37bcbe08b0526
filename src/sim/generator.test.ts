import { describe, expect, it } from 'vitest';
import { ANOMALY_REASONS, pairingViolations } from './anomalies.ts';
import { actionCatalogue } from './catalogue.ts';
import { localDays } from './calendar.ts';
import { generateOrg, STORY, type SimEvent } from './generator.ts';
import { storyStart } from './story.ts';
import { TEST_END } from './testing.ts';

type Obj = Record<string, any>;
const END = TEST_END;
const small = generateOrg({ seed: 7, users: 20, days: 2, end: END });
const medium = generateOrg({ seed: 11, users: 80, days: 8, end: END });

const ev = (e: SimEvent): Obj => e.event as Obj;
const actorId = (e: SimEvent): string => ev(e).actor?.user?.id;
const reasons = (e: SimEvent): string[] => ev(e).details?.reason ?? [];

describe('generateOrg determinism', () => {
  it('reproduces the same raw texts for the same options', () => {
    const again = generateOrg({ seed: 7, users: 20, days: 2, end: END });
    expect(again.events.map((e) => e.raw)).toEqual(small.events.map((e) => e.raw));
  });

  it('differs for another seed', () => {
    const other = generateOrg({ seed: 8, users: 20, days: 2, end: END });
    const ids = new Set(small.events.map((e) => ev(e).id));
    const shared = other.events.filter((e) => ids.has(ev(e).id));
    // Only the story (seed-independent by design) is shared.
    expect(shared.map((e) => ev(e).id).sort()).toEqual([...other.storyIds].sort());
    expect(other.events.map((e) => e.raw)).not.toEqual(small.events.map((e) => e.raw));
  });

  it('raw is the JSON of the event and events are sorted oldest first', () => {
    for (const e of small.events) expect(JSON.parse(e.raw)).toEqual(e.event);
    for (let i = 1; i < small.events.length; i++) {
      expect(ev(small.events[i]!).date_create).toBeGreaterThanOrEqual(ev(small.events[i - 1]!).date_create);
    }
    expect(new Set(small.events.map((e) => ev(e).id)).size).toBe(small.events.length);
  });

  it('keeps every event inside [end - days, end]', () => {
    for (const e of medium.events) {
      expect(ev(e).date_create).toBeGreaterThanOrEqual(END - 8 * 86400);
      expect(ev(e).date_create).toBeLessThanOrEqual(END);
    }
  });

  it('rejects bad options', () => {
    expect(() => generateOrg({ users: 0 })).toThrow(/users/);
    expect(() => generateOrg({ days: 1.5 })).toThrow(/days/);
  });
});

describe('generateOrg volume and shape', () => {
  it('gives 30-60 events per person per working day, far fewer at weekends, with many ties', () => {
    const perDay = new Map<string, number>();
    for (const e of medium.events) {
      const id = actorId(e);
      if (id) perDay.set(`${id}:${Math.floor(ev(e).date_create / 86400)}`, (perDay.get(`${id}:${Math.floor(ev(e).date_create / 86400)}`) ?? 0) + 1);
    }
    let weekday = 0;
    let weekdays = 0;
    let weekend = 0;
    let weekends = 0;
    for (const u of medium.users.filter((x) => !x.heavyDownloader && x.role === 'member' && x.id !== STORY.userId)) {
      for (const d of localDays(medium.range, u.office.utcOffset).slice(1, -1)) {
        let n = 0;
        for (const e of medium.events) {
          const t = ev(e).date_create;
          if (actorId(e) === u.id && t >= d.midnight && t < d.midnight + 86400) n++;
        }
        if (d.weekend) {
          weekend += n;
          weekends++;
        } else {
          weekday += n;
          weekdays++;
        }
      }
    }
    expect(weekday / weekdays).toBeGreaterThan(30);
    expect(weekday / weekdays).toBeLessThan(62);
    expect(weekend / weekends).toBeLessThan(5);
    const perSecond = new Map<number, number>();
    for (const e of medium.events) perSecond.set(ev(e).date_create, (perSecond.get(ev(e).date_create) ?? 0) + 1);
    const tied = [...perSecond.values()].filter((n) => n > 1).length;
    expect(tied).toBeGreaterThan(500);
    expect(Math.max(...perSecond.values())).toBeGreaterThanOrEqual(8);
  });

  it('uses documentation address ranges only', () => {
    for (const e of medium.events) {
      const ip = ev(e).context?.ip_address;
      expect(ip === '' || /^(203\.0\.113|198\.51\.100|192\.0\.2)\.\d+$|^10\.\d+\.\d+\.\d+$/.test(ip)).toBe(true);
    }
  });

  it('emits the actions of a realistic mix, each of them in the /actions catalogue', () => {
    const catalogue = new Set(Object.values(actionCatalogue()).flat());
    const seen = new Set(medium.events.map((e) => ev(e).action as string));
    for (const a of seen) expect(catalogue, a).toContain(a);
    for (const a of ['user_login', 'user_logout', 'user_login_failed', 'file_downloaded', 'file_uploaded', 'file_shared',
      'user_channel_join', 'public_channel_created', 'private_channel_created', 'app_installed', 'app_scopes_expanded', 'anomaly']) {
      expect(seen, a).toContain(a);
    }
    expect([...seen].some((a) => a.startsWith('pref.'))).toBe(true);
    const logins = medium.events.filter((e) => ev(e).action === 'user_login');
    const saml = logins.filter((e) => ev(e).details?.authentication_method === 'saml').length;
    expect(saml / logins.length).toBeGreaterThan(0.8);
    const dl = medium.events.find((e) => ev(e).action === 'file_downloaded' && ev(e).entity.file.id !== STORY.fileId)!;
    expect(Object.keys(ev(dl).entity.file).sort()).toEqual(['filetype', 'id', 'name', 'title']);
    expect(ev(dl).details.url_private).toMatch(/^https:\/\/files\.slack\.com\/files-pri\//);
  });

  it('includes the security-relevant names of docs/slack-api.md section 6 in the catalogue', () => {
    const catalogue = new Set(Object.values(actionCatalogue()).flat());
    for (const a of ['user_sessions_reset_by_anomaly_event_response', 'user_session_reset_by_admin', 'user_session_invalidated',
      'file_download_blocked', 'file_downloaded_blocked', 'role_change_to_owner', 'pref.sso_setting_changed', 'intune_disabled',
      'ekm_unenrolled', 'barrier_deleted', 'native_dlp_rule_deactivated', 'manual_export_started', 'bulk_session_reset_by_admin']) {
      expect(catalogue, a).toContain(a);
    }
  });
});

describe('drift variants', () => {
  const all = medium.events.map(ev);
  it('sends session_id as number, string and null, and some empty ip_address', () => {
    const types = new Set(all.map((e) => (e.context?.session_id === null ? 'null' : typeof e.context?.session_id)));
    expect(types).toEqual(new Set(['number', 'string', 'null']));
    expect(all.some((e) => e.context?.ip_address === '')).toBe(true);
  });

  it('has unknown fields, an unknown entity type and context.app', () => {
    const known = new Set(['id', 'date_create', 'action', 'actor', 'entity', 'context', 'details']);
    expect(all.some((e) => Object.keys(e).some((k) => !known.has(k)))).toBe(true);
    const wor = all.find((e) => e.entity?.type === 'work_object_record');
    expect(wor?.entity.work_object_record.id).toMatch(/^WOR/);
    expect(all.some((e) => e.context?.app && typeof e.context.app.id === 'string')).toBe(true);
  });

  it('has action_timestamp in µs and in ms, always before date_create', () => {
    const anomalies = all.filter((e) => e.action === 'anomaly');
    const digits = new Set(anomalies.map((e) => String(e.details.action_timestamp).length));
    expect(digits).toEqual(new Set([13, 16]));
    for (const a of anomalies) {
      const ts = a.details.action_timestamp as number;
      const ms = ts >= 1e14 ? ts / 1000 : ts;
      expect(ms).toBeLessThan(a.date_create * 1000);
    }
  });
});

describe('anomalies', () => {
  const seeds = [1, 2, 3, 4, 5, 6].map((seed) => generateOrg({ seed, users: 60, days: 8, end: END }));
  it('respect the pairing rules, use documented codes and name the user as actor and entity', () => {
    let n = 0;
    for (const g of [...seeds, medium, small]) {
      for (const e of g.events.filter((x) => ev(x).action === 'anomaly')) {
        n++;
        const r = reasons(e);
        expect(r.length).toBeGreaterThan(0);
        expect(pairingViolations(r)).toEqual([]);
        for (const code of r) expect(ANOMALY_REASONS).toContain(code);
        expect(ev(e).entity.user.id).toBe(actorId(e));
      }
    }
    expect(n).toBeGreaterThan(100);
    expect(pairingViolations(['asn'])).toEqual(['asn without ip_address']);
    expect(pairingViolations(['spoofed_user_agent'])).toEqual(['spoofed_user_agent without unexpected_client']);
    expect(pairingViolations(['unexpected_user_agent'])).toEqual(['unexpected_user_agent without user_agent']);
  });

  it('include network changes with new-asn, UA switches and multi-code reasons', () => {
    const all = seeds.flatMap((g) => g.events.filter((x) => ev(x).action === 'anomaly'));
    const asn = all.filter((e) => reasons(e).join() === 'asn,ip_address');
    expect(asn.length).toBeGreaterThan(5);
    for (const e of asn) expect(ev(e).details.ip_address_details).toEqual(['new-asn']);
    expect(all.some((e) => reasons(e).join() === 'user_agent')).toBe(true);
    expect(all.some((e) => reasons(e).join() === 'spoofed_user_agent,unexpected_client')).toBe(true);
    expect(all.some((e) => ev(e).details.previous_ip_address === '')).toBe(true);
    expect(all.some((e) => ev(e).details.previous_ip_address !== '')).toBe(true);
  });

  it('give 2-3 heavy downloaders at most 3 excessive_downloads a day, most working days', () => {
    const heavy = medium.users.filter((u) => u.heavyDownloader);
    expect(heavy.length).toBeGreaterThanOrEqual(2);
    expect(heavy.length).toBeLessThanOrEqual(3);
    for (const u of heavy) {
      const perDay = new Map<number, number>();
      for (const e of medium.events) {
        if (actorId(e) === u.id && reasons(e).includes('excessive_downloads')) {
          const day = Math.floor((ev(e).date_create + u.office.utcOffset * 3600) / 86400);
          perDay.set(day, (perDay.get(day) ?? 0) + 1);
        }
      }
      expect(perDay.size).toBeGreaterThanOrEqual(3);
      expect(Math.max(...perDay.values())).toBeLessThanOrEqual(3);
    }
  });
});

describe('the story', () => {
  const check = (g: ReturnType<typeof generateOrg>, end: number): void => {
    const matt = g.events.filter((e) => actorId(e) === STORY.userId || ev(e).entity?.user?.id === STORY.userId);
    const scraping = matt.find((e) => reasons(e).includes('unexpected_scraping'))!;
    expect(reasons(scraping)).toEqual(['unexpected_scraping', 'user_agent']);
    expect(ev(scraping).context.ua).toBe(STORY.scraperUa);
    expect(ev(scraping).details.previous_ua).toBe(STORY.normalUa);
    const t0 = ev(scraping).date_create;
    expect(t0).toBe(storyStart(end));
    expect(t0).toBeGreaterThan(end - 86400);

    const today = matt.filter((e) => ev(e).date_create >= t0);
    const excessive = today.filter((e) => reasons(e).includes('excessive_downloads'));
    expect(excessive.length).toBe(STORY.excessiveDownloadsToday);
    expect(excessive.length).toBeGreaterThan(3);
    for (const e of excessive) expect(ev(e).context.ua).toBe(STORY.scraperUa);

    const downloads = today.filter((e) => ev(e).action === 'file_downloaded');
    expect(downloads.length).toBeGreaterThanOrEqual(30);
    for (const d of downloads) {
      expect(actorId(d)).toBe(STORY.userId);
      expect(ev(d).context.ua).toBe(STORY.scraperUa);
      expect(ev(d).context.ip_address).toBe(STORY.homeIp);
      expect(ev(d).context.session_id).toBe(STORY.sessionId);
      expect(ev(d).date_create - t0).toBeLessThanOrEqual(40 * 60);
    }
    const names = downloads.map((d) => ev(d).entity.file.name);
    expect(names).toEqual(expect.arrayContaining([STORY.fileName, 'Q4-Pipeline.xlsx', 'Customer-Contacts.csv']));
    const glengarry = downloads.find((d) => ev(d).entity.file.id === STORY.fileId)!;
    const firstExcessive = Math.min(...excessive.map((e) => ev(e).date_create));
    expect(ev(glengarry).date_create).toBeGreaterThan(t0);
    expect(ev(glengarry).date_create).toBeLessThan(firstExcessive);

    // His history: at most one excessive_downloads on any earlier day, from his normal UA.
    const earlier = matt.filter((e) => ev(e).date_create < t0 - 3600 && reasons(e).includes('excessive_downloads'));
    const days = new Map<number, number>();
    for (const e of earlier) days.set(Math.floor(ev(e).date_create / 86400), (days.get(Math.floor(ev(e).date_create / 86400)) ?? 0) + 1);
    for (const n of days.values()) expect(n).toBeLessThanOrEqual(1);
    // (Invited channel joins carry the inviter's context, so they are left out.)
    const before = matt.filter((e) => ev(e).date_create < t0 && actorId(e) === STORY.userId && !ev(e).details?.inviter);
    expect(before.length).toBeGreaterThan(20);
    for (const e of before) expect(ev(e).context.ua).toBe(STORY.normalUa);

    const reset = g.events.find((e) => ev(e).action === 'user_sessions_reset_by_anomaly_event_response' && ev(e).entity.user.id === STORY.userId)!;
    expect(actorId(reset)).toBe('USLACKSECURITY');
    expect(ev(reset).date_create).toBeGreaterThan(firstExcessive);
  };

  it('is on the last day of every organisation, whatever the seed', () => {
    check(small, END);
    check(medium, END);
    check(generateOrg({ seed: 99, users: 5, days: 3, end: END + 7 * 3600 }), END + 7 * 3600);
  });

  it('has the same events for every seed', () => {
    const a = generateOrg({ seed: 1, users: 10, days: 2, end: END });
    const b = generateOrg({ seed: 2, users: 30, days: 2, end: END });
    const rawOf = (g: typeof a): string[] => g.events.filter((e) => g.storyIds.includes(ev(e).id as string)).map((e) => e.raw);
    expect(rawOf(a)).toEqual(rawOf(b));
    expect(rawOf(a).length).toBeGreaterThan(40);
  });
});

describe('late arrivals', () => {
  it('marks the requested fraction, never the story, visibleAt = date_create + delay', () => {
    const g = generateOrg({ seed: 7, users: 20, days: 2, end: END, lateFraction: 0.1, lateDelaySec: 600 });
    const late = g.events.filter((e) => e.visibleAt !== undefined);
    expect(late.length / g.events.length).toBeGreaterThan(0.07);
    expect(late.length / g.events.length).toBeLessThan(0.13);
    for (const e of late) expect(e.visibleAt).toBe(ev(e).date_create + 600);
    const story = new Set(g.storyIds);
    expect(late.some((e) => story.has(ev(e).id))).toBe(false);
    // Late marking does not change the events themselves.
    expect(g.events.map((e) => e.raw)).toEqual(small.events.map((e) => e.raw));
  });
});
