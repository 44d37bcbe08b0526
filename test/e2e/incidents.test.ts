/**
 * End-to-end: triaging incidents in the web UI, in Debian's chromium against a real server over the demo
 * organisation. Security Detections lists the incidents, each expanding into its alerts. An analyst (the responder
 * account) finds Matt by typing "Matt" in the people search, opens his incident from his page (the timeline shows his
 * downloads, the scraper client and the alerts), assigns it to herself, comments and resolves it; the API then shows
 * every alert of the incident resolved. Bulk acknowledge from the list, and a viewer who gets no checkboxes nor forms.
 *
 * Skipped (with a message) only when /usr/bin/chromium is missing; CI installs it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createServer, type RunningServer } from '../../src/server/index.ts';
import { STORY } from '../../src/sim/index.ts';
import { addAccounts, demoStore, type DemoFixture } from '../server-fixtures.ts';
import { ARTIFACTS, CHROMIUM, haveChromium, launchChromium, logIn, openPage, prepareWebApp } from './browser.ts';

const COMMENT = 'Matt hands in his notice on Friday: scraped the sales files with a script';

if (!haveChromium) console.warn(`e2e: skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('incidents in the web UI', () => {
  let fx: DemoFixture;
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let mattIncident: { id: string; alert_ids: string[] };
  const problems: string[] = [];
  const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
  /** An API read with the page's session cookie. */
  const apiGet = async <T,>(p: Page, path: string): Promise<T> => (await (await p.request.get(`${srv.url}/api/v1${path}`)).json()) as T;

  beforeAll(async () => {
    prepareWebApp();
    fx = await demoStore();
    await addAccounts(fx.store);
    const [inc] = await fx.store.incidentStore().list({ user: STORY.userId });
    mattIncident = inc!;
    srv = await createServer({ store: fx.store, port: 0, log: () => {} });
    browser = await launchChromium();
    page = await openPage(browser, { problems });
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await fx?.cleanup();
  });

  it('lists incidents in Security Detections in the API order, each expanding into its alerts', async () => {
    expect(mattIncident.alert_ids.length).toBeGreaterThan(1);
    await logIn(page, srv.url, 'responder');
    await page.getByRole('link', { name: 'Security Detections' }).click();
    const table = page.getByTestId('incidents-table');
    await table.waitFor();
    // Newest activity first, the most severe first among equals.
    const ids = await table.locator('tbody tr[data-incident-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-incident-id')));
    const listed = (await fx.store.incidentStore().list({ limit: 50 })).map((i) => i.id);
    expect(ids).toEqual(listed);
    const row = table.locator(`tr[data-incident-id="${mattIncident.id}"]`);
    await expect(row.textContent()).resolves.toContain(STORY.name);
    await row.getByRole('button', { name: 'Show alerts' }).click();
    const alerts = table.getByTestId('incident-alerts');
    await alerts.locator('tbody tr').first().waitFor();
    const shown = await alerts.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-alert-id')));
    expect(shown.sort()).toEqual([...mattIncident.alert_ids].sort());
    await shot(page, 'incidents-01-list');
  });

  it('finds Matt by typing "Matt" in the people search and opens his incident from his page', async () => {
    await page.getByLabel('Find a person').fill('Matt');
    await page.getByRole('option').filter({ hasText: STORY.name }).click();
    await page.getByRole('heading', { name: STORY.name }).waitFor();
    await page.getByTestId('user-incidents').locator(`tr[data-incident-id="${mattIncident.id}"]`).getByRole('link').click();
    await page.waitForURL((u) => u.pathname === `/incidents/${mattIncident.id}`);
    await page.getByTestId('incident-page').waitFor();
  });

  it('tells his story on one timeline: sign-in, the scraper client, the downloads and the alerts', async () => {
    const timeline = page.getByTestId('incident-timeline');
    await timeline.locator('li[data-kind=download]').first().waitFor();
    await timeline.locator('li[data-kind=alert]').first().waitFor();
    const client = timeline.locator('li[data-kind=client]', { hasText: STORY.scraperUa });
    // Annotated from the alerts' context once it has loaded.
    await client.getByText('unexpected').waitFor();
    const text = (await timeline.textContent())!;
    expect(text).toContain(STORY.fileName);
    expect(text).toContain(STORY.homeIp);
    expect(await timeline.locator('li[data-kind=alert]').count()).toBe(mattIncident.alert_ids.length);
    await shot(page, 'incidents-02-page');
  });

  it('assigns it to herself, comments, and resolves it: every alert of the incident is resolved', async () => {
    const triage = page.getByTestId('incident-triage');
    await triage.getByRole('button', { name: 'Assign to me' }).click();
    await triage.getByTestId('incident-assignee').getByText('responder').waitFor();
    const thread = page.getByTestId('incident-comments');
    await thread.getByRole('textbox', { name: 'Comment' }).fill(COMMENT);
    await thread.getByRole('button', { name: 'Add comment' }).click();
    await thread.locator('li', { hasText: COMMENT }).getByText('responder').waitFor();
    await triage.getByLabel('Incident status').selectOption('resolved');
    await triage.getByLabel('Status note').fill('account disabled, HR informed');
    await triage.getByRole('button', { name: 'Set status' }).click();
    const history = triage.getByTestId('incident-history');
    await history.locator('li', { hasText: 'account disabled, HR informed' }).waitFor();
    const lines = await history.locator('li').allTextContents();
    expect(lines[1]).toMatch(/assigned to responder\s*by responder/);
    expect(lines[2]).toMatch(/resolved\s*by responder\s*account disabled, HR informed$/);
    await shot(page, 'incidents-03-resolved');

    const detail = await apiGet<{ incident: { status: string; assignee: string }; alerts: Array<{ status: string }>; comments: Array<{ author: string; text: string }> }>(page, `/incidents/${mattIncident.id}`);
    expect(detail.incident).toMatchObject({ status: 'resolved', assignee: 'responder' });
    expect(detail.comments).toMatchObject([{ author: 'responder', text: COMMENT }]);
    expect(detail.alerts.map((a) => a.status)).toEqual(mattIncident.alert_ids.map(() => 'resolved'));
    for (const id of mattIncident.alert_ids) {
      const a = await apiGet<{ alert: { status: string; status_by: string } }>(page, `/alerts/${id}`);
      expect(a.alert).toMatchObject({ status: 'resolved', status_by: 'responder' });
    }
  });

  it('acknowledges the selected incidents of a page at once', async () => {
    await page.goto(`${srv.url}/detections?status=open`);
    const table = page.getByTestId('incidents-table');
    await table.locator('tbody tr[data-incident-id]').first().waitFor();
    const rows = table.locator('tbody tr[data-incident-id]');
    const picked = await rows.evaluateAll((r) => r.slice(0, 2).map((x) => x.getAttribute('data-incident-id')!));
    for (const id of picked) await table.locator(`tr[data-incident-id="${id}"] input[type=checkbox]`).check();
    const bulk = page.getByTestId('incidents-bulk');
    await bulk.getByText('2 selected').waitFor();
    await bulk.getByRole('button', { name: 'Acknowledge' }).click();
    await bulk.getByRole('status').getByText('2 incidents set to acknowledged').waitFor();
    for (const id of picked) {
      const d = await apiGet<{ incident: { status: string }; alerts: Array<{ status: string }> }>(page, `/incidents/${id}`);
      expect([d.incident.status, ...new Set(d.alerts.map((a) => a.status))]).toEqual(['acknowledged', 'acknowledged']);
    }
    // The open-only list no longer holds them; "select all on this page" selects every row left.
    await expect.poll(async () => (await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-incident-id')))).filter((id) => picked.includes(id!))).toEqual([]);
    await table.getByLabel('Select all on this page').check();
    await bulk.getByText(`${await rows.count()} selected`).waitFor();
  });

  it('shows a viewer no selection, status, assignment or comment form', async () => {
    const viewer = await openPage(browser);
    await logIn(viewer, srv.url, 'viewer');
    await viewer.goto(`${srv.url}/detections`);
    await viewer.getByTestId('incidents-table').locator('tbody tr').first().waitFor();
    expect(await viewer.getByTestId('incidents-table').locator('input[type=checkbox]').count()).toBe(0);
    expect(await viewer.getByTestId('incidents-bulk').count()).toBe(0);
    await viewer.goto(`${srv.url}/incidents/${mattIncident.id}`);
    await viewer.getByTestId('incident-comments').getByText(COMMENT).waitFor();
    await viewer.getByText('Viewers cannot change an incident.').waitFor();
    expect(await viewer.getByRole('button', { name: /Assign to me|Set status|Add comment/ }).count()).toBe(0);
    await viewer.close();
  });

  it('raised no script error or CSP violation', () => {
    expect(problems).toEqual([]);
  });
});
