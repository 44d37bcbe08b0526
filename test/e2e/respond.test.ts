/**
 * End-to-end: responding from the web UI, in chromium, against a real server over the demo organisation whose Slack
 * admin API is the project's simulator on loopback (same seed and end as the demo store, so Matt's session is in it).
 * A responder opens Matt Levene's scraping alert, signs him out of Slack on the web only through the confirmation
 * dialog (which names him and what the store knows); the simulator ends exactly his web sessions, and the action
 * shows on the alert and in the Actions view. A viewer sees no response button and the API answers 403 to the same
 * call made with a valid session and CSRF token.
 *
 * Skipped (with a message) only when /usr/bin/chromium is missing; CI installs it.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ingestStream } from '../../src/ingest/index.ts';
import { createServer, type RunningServer } from '../../src/server/index.ts';
import { startSimulator, STORY, type Simulator } from '../../src/sim/index.ts';
import { fetchLogs } from '../../src/sim/testing.ts';
import { addAccounts, DEMO_END, demoStore, type DemoFixture } from '../server-fixtures.ts';
import { ARTIFACTS, CHROMIUM, haveChromium, launchChromium, logIn, openPage, prepareWebApp } from './browser.ts';

const REASON = 'Matt is leaving: scraping the sales files';

if (!haveChromium) console.warn(`e2e: skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('responding from the web UI, against the simulator', () => {
  let sim: Simulator;
  let fx: DemoFixture;
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let alertId: string;
  const problems: string[] = [];
  const kinds = (userId: string) => sim.webApi.sessions.sessionsOf(userId).map((s) => s.kind).sort();
  const others = () => sim.webApi.sessions.all().filter((s) => s.userId !== STORY.userId).length;

  beforeAll(async () => {
    prepareWebApp();
    sim = await startSimulator({ seed: 7, users: 40, days: 8, end: DEMO_END, now: () => DEMO_END + 600, rateLimit: false });
    fx = await demoStore();
    await addAccounts(fx.store);
    // In the story Slack's AER reset Matt's sessions after the scraping; he is back on his desktop (a web session)
    // a minute before the end, in Slack's session store and in the collected audit log alike.
    type Ev = { actor?: { user?: { id?: string } }; context?: { session_id?: unknown } };
    const onHisDesktop = (e: Ev) => e.actor?.user?.id === STORY.userId && e.context?.session_id === STORY.sessionId;
    const last = fx.org.events.filter((e) => onHisDesktop(e.event as Ev)).at(-1)!;
    const back = { ...JSON.parse(last.raw), id: 'e2e-matt-is-back', date_create: DEMO_END - 60 };
    sim.addEvents([back]);
    await ingestStream(Readable.from([Buffer.from(`${JSON.stringify(back)}\n`)]), 'e2e', { store: fx.store });
    const row = fx.store.db.prepare("SELECT id FROM alerts WHERE rule = 'scraping-suspected' AND user_id = ?").get(STORY.userId) as { id: string } | undefined;
    alertId = row!.id;
    srv = await createServer({
      store: fx.store,
      port: 0,
      log: () => {},
      slackAdmin: { token: sim.tokens.adminWeb, baseUrl: sim.webApiBaseUrl },
    });
    browser = await launchChromium();
    page = await openPage(browser, { problems });
  });

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await fx?.cleanup();
    await sim?.close();
  });

  it("a responder signs Matt out of Slack on the web only, from his scraping alert", async () => {
    expect(kinds(STORY.userId)).toContain('web');
    const mobileBefore = kinds(STORY.userId).filter((k) => k === 'mobile').length;
    const othersBefore = others();
    await logIn(page, srv.url, 'responder');
    await page.goto(`${srv.url}/detections?alert=${encodeURIComponent(alertId)}`);
    const panel = page.getByTestId('alert-details');
    await panel.getByRole('heading', { name: `Scraping suspected: ${STORY.name}` }).waitFor();
    await panel.getByTestId('alert-actions').getByText('None recorded.').waitFor();
    await panel.getByRole('button', { name: 'Sign out of Slack' }).click();
    const dialog = page.getByRole('dialog', { name: 'Sign out of Slack' });
    // The dialog names the user and says what the store knows before anything is called.
    const who = dialog.getByTestId('respond-user');
    await who.getByText(STORY.email).waitFor();
    expect(await who.textContent()).toContain(STORY.name);
    expect(await who.textContent()).toContain(STORY.userId);
    expect(await who.textContent()).toContain('Last seen2026-01-14 23:59:00 UTC');
    await dialog.getByTestId('respond-aer').getByText(/already reset this user's sessions at .*, after this alert/).waitFor();
    await dialog.getByLabel('web only').check();
    await dialog.getByLabel('Reason').fill(REASON);
    await page.screenshot({ path: join(ARTIFACTS, 'respond-01-sign-out-dialog.png') });
    await dialog.getByRole('button', { name: 'Sign out (web only)' }).click();
    await dialog.getByTestId('respond-outcome').getByText(/^Done/).waitFor();
    // Slack (the simulator) ended exactly his web sessions: his mobile ones and everyone else's are untouched.
    expect(kinds(STORY.userId).filter((k) => k === 'web')).toEqual([]);
    expect(kinds(STORY.userId).filter((k) => k === 'mobile').length).toBe(mobileBefore);
    expect(others()).toBe(othersBefore);
    // ...and wrote the reset into its audit log as a web-only reset of Matt by an admin.
    const logged = (await fetchLogs(sim, { action: 'user_session_reset_by_admin' }, sim.tokens.owner)).json?.entries ?? [];
    const mine = logged.filter((e) => (e.entity as { user?: { id?: string } }).user?.id === STORY.userId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.details).toMatchObject({ web_only: true });
    await dialog.getByRole('button', { name: 'Close' }).click();
    // The action shows on the alert...
    const onAlert = panel.getByTestId('alert-actions').locator('tbody tr');
    await onAlert.first().waitFor();
    expect(await onAlert.count()).toBe(1);
    const rowText = (await onAlert.first().textContent())!;
    expect(rowText).toContain('sign-out');
    expect(rowText).toContain(STORY.userId);
    expect(rowText).toContain('done');
    expect(rowText).toContain(REASON);
    expect(rowText).toMatch(/web/);
    await page.screenshot({ path: join(ARTIFACTS, 'respond-02-alert-actions.png') });
  });

  it('shows the action in the Actions view, newest first, filterable by user', async () => {
    await page.getByRole('link', { name: 'Actions', exact: true }).click();
    const table = page.getByTestId('actions-table');
    await table.locator('tbody tr').first().waitFor();
    const first = (await table.locator('tbody tr').first().textContent())!;
    expect(first).toContain('sign-out');
    expect(first).toContain(STORY.userId);
    expect(first).toContain('done');
    expect(first).toContain(alertId);
    await page.getByLabel('User').fill(STORY.userId);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((u) => u.searchParams.get('user') === STORY.userId);
    await page.getByTestId('actions-count').getByText('1–1 of 1 actions', { exact: false }).waitFor();
    await page.getByLabel('Status').selectOption('failed');
    await page.getByTestId('actions-count').getByText(/^0 actions/).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'respond-03-actions-view.png') });
  });

  it('raised no script error or CSP violation', () => {
    expect(problems).toEqual([]);
  });

  it('a viewer sees no response button, and the API refuses the call (403)', async () => {
    const viewer = await openPage(browser);
    // Someone else who still has sessions: a call that got through would end them.
    const target = sim.webApi.sessions.all().find((s) => s.userId !== STORY.userId)!.userId;
    const before = kinds(target);
    expect(before.length).toBeGreaterThan(0);
    await logIn(viewer, srv.url, 'viewer');
    await viewer.goto(`${srv.url}/detections?alert=${encodeURIComponent(alertId)}`);
    const panel = viewer.getByTestId('alert-details');
    await panel.getByRole('heading', { name: `Scraping suspected: ${STORY.name}` }).waitFor();
    // The panel is there (with the action taken), but none of the response controls.
    await panel.getByTestId('alert-actions').locator('tbody tr').first().waitFor();
    expect(await panel.getByTestId('response-slot').locator('button').count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /Sign out of Slack|Approve|Trust this IP/ }).count()).toBe(0);
    // A sign-out with the viewer's valid session and CSRF token: refused by role, nothing called.
    const status = await viewer.evaluate(async (userId) => {
      const me = (await (await fetch('/api/v1/auth/me')).json()) as { csrf: string };
      const r = await fetch('/api/v1/respond/sign-out', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf },
        body: JSON.stringify({ user_ids: [userId], scope: 'all', reason: 'viewer tries' }),
      });
      return r.status;
    }, target);
    expect(status).toBe(403);
    expect(kinds(target)).toEqual(before);
    await viewer.close();
  });
});
