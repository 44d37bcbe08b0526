/**
 * End-to-end: the web UI in Debian's chromium (headless, through playwright-core) against a real server over the
 * demo organisation. Follows the analyst's path of the story: log in, filter the Audit Logs to Matt's downloads and
 * open Glengarry-Leads.xlsx, find his scraping alert and its context, open his user page. Screenshots of each view
 * go to test-artifacts/.
 *
 * Skipped (with a message) only when /usr/bin/chromium is missing; CI installs it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createServer, DEFAULT_WEB_DIR, type RunningServer } from '../../src/server/index.ts';
import { STORY } from '../../src/sim/index.ts';
import { addAccounts, demoStore, TEST_PASSWORD, type DemoFixture } from '../server-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);

/** Is web/dist missing or older than a source file of the app? */
function webBuildStale(): boolean {
  const index = join(DEFAULT_WEB_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const web = join(DEFAULT_WEB_DIR, '..');
  const files = [join(web, 'index.html'), join(web, 'vite.config.ts'), ...readdirSync(join(web, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => join(web, 'src', f))];
  return files.some((f) => statSync(f).mtimeMs > built);
}
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
    mkdirSync(ARTIFACTS, { recursive: true });
    if (webBuildStale()) {
      // npm install builds it (postinstall); a checkout that skipped it, or edited web/src since, is built here.
      const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
      if (r.status !== 0) throw new Error('could not build the web app (npm run build:web)');
    }
    fx = await demoStore();
    await addAccounts(fx.store);
    srv = await createServer({ store: fx.store, port: 0, log: () => {} });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1500, height: 950 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // Any CSP violation or script error fails the suite: the strict policy must not break the app.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
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
    const alerts = page.getByTestId('alerts-table');
    await alerts.waitFor();
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
    await user.getByRole('link', { name: STORY.homeIp }).click();
    await page.getByTestId('ip-users').getByText(STORY.name).waitFor();
    await shot('08-ip-page');
  });

  it('raised no script error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
