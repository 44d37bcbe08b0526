/**
 * End-to-end: the web UI in Debian's chromium (headless, through playwright-core) against a real server over the
 * demo organisation. Follows the analyst's path of the story: log in, filter the Audit Logs to Matt's downloads and
 * open Glengarry-Leads.xlsx, find his scraping alert and its context (paged list, filter counts, the status history of
 * two decisions), open his user page; then an event forged with a hidden U+202E in a file name and markup for an IP
 * is shown for what it is. Screenshots of each view go to test-artifacts/.
 *
 * Skipped (with a message) only when /usr/bin/chromium is missing; CI installs it.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ingestStream } from '../../src/ingest/index.ts';
import { createServer, type RunningServer } from '../../src/server/index.ts';
import { STORY } from '../../src/sim/index.ts';
import { addAccounts, DEMO_END, demoStore, TEST_PASSWORD, type DemoFixture } from '../server-fixtures.ts';
import { ARTIFACTS, CHROMIUM, haveChromium, launchChromium, openPage, prepareWebApp } from './browser.ts';

/** A download whose file name hides a right-to-left override ("invoiceexe.xlsx" on screen) and whose IP is markup. */
const SPOOF = { id: 'e2e-spoofed-download', fileId: 'F0SPOOFED01', fileName: 'invoice\u202Exslx.exe', ip: '<img src=x onerror=alert(1)>' };

if (!haveChromium) console.warn(`e2e: skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('web UI in chromium over the demo data', () => {
  let fx: DemoFixture;
  let srv: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

  beforeAll(async () => {
    prepareWebApp();
    fx = await demoStore();
    await addAccounts(fx.store);
    const spoof = JSON.parse(fx.org.events.find((e) => e.event.action === 'file_downloaded')!.raw);
    Object.assign(spoof, { id: SPOOF.id, date_create: DEMO_END - 60 });
    Object.assign(spoof.entity.file, { id: SPOOF.fileId, name: SPOOF.fileName });
    spoof.context.ip_address = SPOOF.ip;
    await ingestStream(Readable.from([Buffer.from(`${JSON.stringify(spoof)}\n`)]), 'e2e', { store: fx.store });
    srv = await createServer({ store: fx.store, port: 0, log: () => {} });
    browser = await launchChromium();
    // Any CSP violation or script error fails the suite: the strict policy must not break the app.
    page = await openPage(browser, { problems });
    context = page.context();
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await fx?.cleanup();
  });

  it('logs in', async () => {
    await page.goto(`${srv.url}/events`);
    await page.getByRole('heading', { name: 'gridwatch' }).waitFor();
    await shot('01-login');
    await page.fill('input[name=name]', 'viewer');
    await page.fill('input[name=password]', 'wrong password!');
    await page.click('button[type=submit]');
    await page.getByRole('alert').filter({ hasText: 'wrong name or password' }).waitFor();
    await page.fill('input[name=name]', 'responder');
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Audit Logs' }).waitFor();
    await page.getByTestId('events-table').waitFor();
    await page.locator('[data-testid=histogram] canvas').waitFor();
    // The histogram's legend names the action categories; the pager is above and below the events (#12).
    await page.getByTestId('histogram-legend').getByText('anomalies', { exact: false }).first().waitFor();
    await page.getByTestId('events-pager-top').waitFor();
    await page.getByTestId('events-pager-bottom').waitFor();
    await shot('02-audit-logs');
    // Brushing the histogram zooms the view: the range goes into the URL.
    const box = (await page.locator('[data-testid=histogram] .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForURL((u) => !!u.searchParams.get('since') && !!u.searchParams.get('until'));
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await page.waitForURL((u) => !u.searchParams.get('since'));
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'gw_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
  });

  it("filters to Matt's file_downloaded events and opens Glengarry-Leads.xlsx", async () => {
    const action = page.getByLabel('Action', { exact: true });
    await action.fill('file_down');
    await page.getByRole('option', { name: /^file_downloaded( [\d,]+)?$/ }).click();
    await page.getByLabel('Actor').fill(STORY.email);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((u) => u.searchParams.get('action') === 'file_downloaded' && u.searchParams.get('actor') === STORY.email);
    const row = page.locator('[data-testid=events-table] tbody tr', { hasText: STORY.fileName });
    await row.waitFor();
    // Every row shown is one of his downloads.
    const actions = await page.locator('[data-testid=events-table] tbody tr td:nth-child(2)').allTextContents();
    expect(new Set(actions)).toEqual(new Set(['file_downloaded']));
    await row.getByRole('button', { name: /details/i }).click();
    const details = page.getByTestId('event-details');
    await details.waitFor();
    await expect(details.getByTestId('raw-json').textContent()).resolves.toContain(`"name": "${STORY.fileName}"`);
    await expect(details.textContent()).resolves.toContain(STORY.scraperUa);
    expect(page.url()).toContain('event=');
    await shot('03-glengarry-details');
    // The view is a URL: reloading it shows the same filtered list and panel.
    await page.reload();
    await page.getByTestId('event-details').waitFor();
    await page.getByRole('button', { name: 'Close details' }).click();
  });

  it('finds his scraping alert with its context in Security Detections', async () => {
    await page.getByRole('link', { name: 'Security Detections' }).click();
    // It opens on incidents; the alerts list is the next tab.
    await page.getByRole('link', { name: 'gridwatch alerts' }).click();
    const alerts = page.getByTestId('alerts-table');
    await alerts.waitFor();
    // One page of 50 at most, saying how many there are; the rule filter lists the rules with their counts.
    const total = (fx.store.db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
    await page.getByTestId('alerts-count').getByText(`1–${Math.min(50, total)} of ${total} alerts`).waitFor();
    expect(await alerts.locator('tbody tr').count()).toBe(Math.min(50, total));
    const scrapingRule = (fx.store.db.prepare("SELECT count(*) AS n FROM alerts WHERE rule = 'scraping-suspected'").get() as { n: number }).n;
    expect(await page.getByLabel('Rule', { exact: true }).locator('option').allTextContents()).toContain(`scraping-suspected (${scrapingRule})`);
    if (total > 50) {
      await page.getByTestId('alerts-pager').getByRole('button', { name: 'Older →' }).click();
      await page.getByTestId('alerts-count').getByText(`51–${Math.min(100, total)} of ${total} alerts`).waitFor();
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      await page.getByTestId('alerts-pager').getByRole('button', { name: 'Newest' }).click();
      await page.getByTestId('alerts-count').getByText(`1–50 of ${total} alerts`).waitFor();
    }
    await shot('04-detections');
    const row = alerts.locator('tbody tr', { hasText: `Scraping suspected: ${STORY.name}` });
    await row.click();
    const panel = page.getByTestId('alert-details');
    await panel.waitFor();
    await panel.getByTestId('alert-downloads').getByText(STORY.fileName).waitFor();
    const uas = panel.getByTestId('alert-uas').locator('tr', { hasText: STORY.scraperUa });
    await expect(uas.textContent()).resolves.toContain('unexpected');
    await expect(uas.textContent()).resolves.toContain('new');
    await expect(panel.getByTestId('alert-ips').textContent()).resolves.toContain(STORY.homeIp);
    await shot('05-scraping-alert');
    // A responder acknowledges it with a note.
    await panel.getByLabel('Status', { exact: true }).selectOption('acknowledged');
    await panel.getByLabel('Note', { exact: true }).fill('Matt is leaving: HR informed');
    await panel.getByRole('button', { name: 'Save status' }).click();
    await panel.getByText('Note by responder: Matt is leaving: HR informed').waitFor();
    // A second decision does not erase the first: the history shows both, who and when.
    await panel.getByLabel('Status', { exact: true }).selectOption('resolved');
    await panel.getByLabel('Note', { exact: true }).fill('account disabled');
    await panel.getByRole('button', { name: 'Save status' }).click();
    await panel.getByText('Note by responder: account disabled').waitFor();
    const history = await panel.getByTestId('alert-history').locator('li').allTextContents();
    expect(history).toHaveLength(3);
    expect(history[0]).toContain('raised by gridwatch');
    expect(history[1]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d acknowledged\s*by responder\s*Matt is leaving: HR informed$/);
    expect(history[2]).toMatch(/resolved\s*by responder\s*account disabled$/);
    // Opening a triggering event from the alert highlights the fields that made it fire.
    await panel.locator('section', { hasText: 'Triggering events' }).locator('tbody tr').first().click();
    await page.locator('[data-testid=event-details] mark.jv-hl').first().waitFor();
    const marked = await page.locator('[data-testid=event-details] mark.jv-hl').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
    expect(marked).toContain('context.ua');
    await shot('06-alert-event-highlighted');
    await page.getByRole('button', { name: '← Back to alert' }).click();
    await page.getByTestId('alert-details').waitFor();
  });

  it('opens his user page', async () => {
    await page.getByTestId('alert-details').getByRole('link', { name: STORY.name }).click();
    const user = page.getByTestId('user-page');
    await user.waitFor();
    await user.getByRole('heading', { name: STORY.name }).waitFor();
    await expect(user.getByTestId('user-ips').textContent()).resolves.toContain(STORY.homeIp);
    await expect(user.getByTestId('user-uas').textContent()).resolves.toContain(STORY.scraperUa);
    await user.getByTestId('user-files').getByText(STORY.fileName).waitFor();
    await user.locator('[data-testid=daily-downloads] canvas').waitFor();
    await user.locator('[data-testid=timeline] canvas').waitFor();
    await shot('07-user-page');
    // The user page's headed tables sort in the browser too (#12): Events ascending reorders the addresses.
    const ipCounts = async () => (await user.locator('[data-testid=user-ips] tbody tr td:nth-child(4)').allTextContents()).map((t) => Number(t.replace(/\D/g, '')));
    const before = await ipCounts();
    await user.getByTestId('user-ips').getByRole('button', { name: /^Events/ }).click();
    await user.locator('[data-testid=user-ips] th[aria-sort=ascending]').waitFor();
    const after = await ipCounts();
    expect(after).toEqual([...before].sort((x, y) => x - y));
    expect(after).not.toEqual(before);
    await user.getByTestId('user-ips').getByRole('link', { name: STORY.homeIp }).click();
    await page.getByTestId('ip-users').getByText(STORY.name).waitFor();
    // Headed tables that sort in the browser, the network facts and the IP's own histogram (#12).
    const uaHead = page.getByTestId('ip-user-agents').locator('thead');
    await expect(uaHead.textContent()).resolves.toContain('User agent');
    await page.getByTestId('ip-users').getByRole('button', { name: /Events/ }).click();
    const counts = (await page.locator('[data-testid=ip-users] tbody tr td:nth-child(3)').allTextContents()).map((t) => Number(t.replace(/\D/g, '')));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    await page.getByTestId('ip-network').getByText(/Slack's allowlist: unknown/).waitFor();
    await page.locator('[data-testid=ip-histogram] canvas').waitFor();
    await shot('08-ip-page');
  });

  it('shows hidden characters as badges, flags the event, and does not link a value that is not an IP', async () => {
    await page.goto(`${srv.url}/events?entity=${SPOOF.fileId}`);
    const row = page.locator(`[data-testid=events-table] tbody tr[data-event-id="${SPOOF.id}"]`);
    await row.waitFor();
    await row.getByTestId('hidden-flag').waitFor();
    expect(await row.textContent()).toContain('invoice\\u202Exslx.exe');
    expect(await row.locator(`a:has-text("${SPOOF.ip}")`).count()).toBe(0);
    await row.getByRole('button', { name: /details/i }).click();
    const details = page.getByTestId('event-details');
    await details.waitFor();
    const heading = (await details.locator('h2').textContent())!;
    expect(heading).toContain('invoice\\u202Exslx.exe');
    expect(heading).toContain('hidden characters');
    expect(heading).not.toContain('\u202E');
    await expect(details.locator('h2 .hidden-char').getAttribute('title')).resolves.toMatch(/^U\+202E RIGHT-TO-LEFT OVERRIDE/);
    // The raw JSON line keeps its order: the override is a badge, not a character the browser obeys.
    const raw = (await details.getByTestId('raw-json').textContent())!;
    expect(raw).toContain('"name": "invoice\\u202Exslx.exe"');
    expect(raw).not.toContain('\u202E');
    const ip = details.locator('dt', { hasText: /^IP$/ }).locator('xpath=following-sibling::dd[1]');
    expect(await ip.textContent()).toBe(SPOOF.ip);
    expect(await ip.locator('a').count()).toBe(0);
    await shot('09-hidden-characters');
    await page.getByRole('button', { name: 'Close details' }).click();
  });

  it('raised no script error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
