/**
 * End-to-end: the top bar's people search in chromium against a real server over the demo organisation. Typing
 * "Matt" suggests Matt Levene; clicking the suggestion opens his user page.
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

if (!haveChromium) console.warn(`e2e: skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!haveChromium)('people search in the top bar', () => {
  let fx: DemoFixture;
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    prepareWebApp();
    fx = await demoStore({ detect: false });
    await addAccounts(fx.store, ['viewer']);
    srv = await createServer({ store: fx.store, port: 0, log: () => {} });
    browser = await launchChromium();
    page = await openPage(browser, { viewport: { width: 1400, height: 900 } });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    await fx?.cleanup();
  });

  it('finds Matt by typing "Matt" and opens his user page', async () => {
    await logIn(page, srv.url, 'viewer');
    await page.getByLabel('Find a person').fill('Matt');
    const option = page.getByRole('option').filter({ hasText: 'Matt Levene' });
    await option.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'people-search.png') });
    await option.click();
    await page.getByRole('heading', { name: 'Matt Levene' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/users/${STORY.userId}`);
  });
});
