/**
 * The story every generated organisation contains, whatever the seed (see /work/shared/seed): Matt, a salesperson who
 * is leaving Acme, scrapes the sales files with a tool calling itself "Scrapers Inc" on the last day.
 *
 * Timeline, relative to the end of the generated range (all of it on the last day, before `end`):
 * - `start`: anomaly `["unexpected_scraping","user_agent"]`, ua "Scrapers Inc", previous_ua his normal desktop UA;
 * - start+20 s .. start+40 min: 34 `file_downloaded` with ua "Scrapers Inc" from his usual IP and session, among them
 *   Glengarry-Leads.xlsx (before the first excessive_downloads);
 * - start+8, 16, 24, 32, 41 min: five `excessive_downloads` anomalies (his earlier maximum is one a day);
 * - start+41 min 10 s: `user_sessions_reset_by_anomaly_event_response` by USLACKSECURITY (optional).
 * Times and ids depend only on `end`, never on the seed, so tests can assert on them.
 */
import { slackDesktopUa } from './agents.ts';
import { aerReset, buildAnomaly } from './anomalies.ts';
import { actorOf, auditEvent, contextOf, fileEntity, urlPrivate, type Client, type Json } from './builders.ts';
import { makeFile, type Org, type SimUser } from './org.ts';
import { createRng } from './random.ts';

const SALES_FILES = [
  'Q4-Pipeline.xlsx',
  'Customer-Contacts.csv',
  'Enterprise-Accounts.xlsx',
  'Glengarry-Leads.xlsx',
  'Pricing-Discount-Matrix.xlsx',
  'Commission-Plan-2025.pdf',
  'Territory-Map.pdf',
  'Renewals-Q1.csv',
  'Lost-Deals-Analysis.xlsx',
  'Competitor-Battlecards.pdf',
  'Top-100-Prospects.csv',
  'Sales-Playbook.docx',
] as const;

const ACCOUNTS = [
  'Initech', 'Globex', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Wonka', 'Cyberdyne', 'Tyrell', 'Soylent',
  'Gringotts', 'Oceanic', 'Pied-Piper', 'Dunder-Mifflin', 'Massive-Dynamic', 'Aperture', 'Monarch', 'Nakatomi',
  'Virtucon', 'Prestige', 'Oscorp',
] as const;

/** The story's fixed facts, for tests and for the demo's narration. */
export const STORY = {
  userId: 'W0MATT0001',
  name: 'Matt Levene',
  email: 'matt.levene@acme.example',
  team: 'T0ACMESAL1',
  homeIp: '203.0.113.77',
  sessionId: 1656410836837,
  normalUa: slackDesktopUa('mac', '4.41.105'),
  scraperUa: 'Scrapers Inc',
  location: 'New York, New York',
  fileName: 'Glengarry-Leads.xlsx',
  fileId: 'F0GLENGARRY',
  /** Other sales files he takes (all 34 downloads are distinct files). */
  salesFiles: SALES_FILES,
  /** The scraping starts this long before the end of the generated range. */
  startBeforeEndSec: 3 * 3600,
  /** How long the scraping lasts. */
  scrapingSec: 40 * 60,
  downloadCount: 34,
  /** excessive_downloads anomalies on the last day (earlier days: at most 1). */
  excessiveDownloadsToday: 5,
  aerActorId: 'USLACKSECURITY',
} as const;

/**
 * The unix second the story starts at, for a generated range ending at `end`.
 *
 * @example
 * storyStart(1767225600) // 1767214800 (three hours earlier)
 */
export function storyStart(end: number): number {
  return end - STORY.startBeforeEndSec;
}

/**
 * Matt as a member of the organisation: one desktop, one office address, one session, which is what makes his
 * last day stand out.
 *
 * @example
 * storyUser().id // 'W0MATT0001'
 */
export function storyUser(): SimUser {
  return {
    id: STORY.userId,
    name: STORY.name,
    email: STORY.email,
    team: STORY.team,
    role: 'member',
    office: { utcOffset: -5, location: STORY.location },
    ips: [STORY.homeIp],
    devices: [{ kind: 'desktop', ua: STORY.normalUa, sessionId: STORY.sessionId, ip: STORY.homeIp }],
    activity: 40,
    heavyDownloader: false,
  };
}

/** The 34 distinct files he downloads, Glengarry-Leads.xlsx fourth. */
function storyFiles(): ReturnType<typeof makeFile>[] {
  const named = SALES_FILES.map((name, i) =>
    makeFile(name === STORY.fileName ? STORY.fileId : `F0SALES${String(i + 1).padStart(3, '0')}`, name, STORY.team),
  );
  const proposals = ACCOUNTS.map((a, i) => makeFile(`F0DEAL${String(i + 1).padStart(4, '0')}`, `Proposal-${a}.pdf`, STORY.team));
  return [...named, ...proposals].slice(0, STORY.downloadCount);
}

/**
 * The story's events for a range `[start, end]`: the last-day scraping, plus one benign excessive_downloads a few
 * days earlier (with its downloads) so his history has a baseline of at most one a day.
 *
 * @example
 * const evs = storyEvents(org, end, end - 8 * 86400, { aerReset: true });
 * evs.filter((e) => e.action === 'anomaly').length // 7 (scraping + 5 excessive_downloads + 1 earlier one)
 */
export function storyEvents(org: Org, end: number, rangeStart: number, opts: { aerReset: boolean }): Json[] {
  // A fixed stream: ids and sub-second details are the same for every seed.
  const rng = createRng(0x4d617474);
  const matt = org.users.find((u) => u.id === STORY.userId) ?? storyUser();
  const normal: Client = { ua: STORY.normalUa, ip: STORY.homeIp, sessionId: STORY.sessionId };
  const scraper: Client = { ...normal, ua: STORY.scraperUa };
  const out: Json[] = [];
  const t0 = storyStart(end);

  const daysBack = Math.min(3, Math.floor((t0 - rangeStart) / 86400));
  if (daysBack >= 1) {
    const t = t0 - daysBack * 86400;
    // Ordinary sales files (fixed, so the story stays seed-independent), but never Glengarry before the last day.
    const files = storyFiles().filter((f) => f.id !== STORY.fileId);
    for (let i = 0; i < 15; i++) {
      const f = files[(i * 5) % files.length]!;
      out.push(auditEvent(rng, t - 1500 + i * 90, 'file_downloaded', actorOf(matt), fileEntity(f), contextOf(org, matt, normal, 'workspace'), { url_private: urlPrivate(f) }));
    }
    out.push(buildAnomaly(org, rng, {
      ts: t + 120, user: matt, reasons: ['excessive_downloads'], client: normal, location: STORY.location, delaySec: 1600,
    }));
  }

  out.push(buildAnomaly(org, rng, {
    ts: t0, user: matt, reasons: ['unexpected_scraping', 'user_agent'], client: scraper, location: STORY.location,
    previousIp: '', previousUa: STORY.normalUa, delaySec: 95,
  }));
  const files = storyFiles();
  const span = STORY.scrapingSec - 20;
  files.forEach((f, i) => {
    // Every fourth download shares the previous one's second: ties inside the story too.
    const k = i % 4 === 3 ? i - 1 : i;
    const t = t0 + 20 + Math.floor((k * span) / (files.length - 1));
    out.push(auditEvent(rng, t, 'file_downloaded', actorOf(matt), fileEntity(f), contextOf(org, matt, scraper, 'workspace'), { url_private: urlPrivate(f) }));
  });
  const anomalyOffsets = [8, 16, 24, 32, 41].map((m) => m * 60);
  for (const off of anomalyOffsets.slice(0, STORY.excessiveDownloadsToday)) {
    out.push(buildAnomaly(org, rng, {
      ts: t0 + off, user: matt, reasons: ['excessive_downloads'], client: scraper, location: STORY.location,
      previousIp: '', previousUa: STORY.normalUa, delaySec: 120,
    }));
  }
  if (opts.aerReset) out.push(aerReset(org, rng, t0 + 41 * 60 + 10, matt));
  return out;
}
