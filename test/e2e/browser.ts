/**
 * What the browser tests share: the built web app (rebuilt when web/src changed since), Debian's chromium through
 * playwright-core, and logging in as one of the test accounts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_WEB_DIR } from '../../src/server/index.ts';
import { TEST_PASSWORD } from '../server-fixtures.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
export const haveChromium = existsSync(CHROMIUM);

/** Is web/dist missing or older than a source file of the app? */
function webBuildStale(): boolean {
  const index = join(DEFAULT_WEB_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const web = join(DEFAULT_WEB_DIR, '..');
  const files = [join(web, 'index.html'), join(web, 'vite.config.ts'), ...readdirSync(join(web, 'src'), { recursive: true, encoding: 'utf8' }).map((f) => join(web, 'src', f))];
  return files.some((f) => statSync(f).mtimeMs > built);
}

/**
 * Build web/dist when it is missing or stale (npm install builds it; a checkout that skipped that, or edited web/src
 * since, is built here).
 *
 * @example beforeAll(() => ensureWebBuild());
 */
export function ensureWebBuild(): void {
  if (!webBuildStale()) return;
  const r = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not build the web app (npm run build:web)');
}

/**
 * What every browser suite needs before its server starts: the screenshot folder and a current web build.
 *
 * @example beforeAll(() => { prepareWebApp(); ... });
 */
export function prepareWebApp(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  ensureWebBuild();
}

/**
 * Headless chromium, as the CI runs it.
 *
 * @example const browser = await launchChromium();
 */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Log in through the login form as one of `addAccounts`' accounts and wait for the Audit Logs.
 *
 * @example await logIn(page, srv.url, 'responder');
 */
export async function logIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(`${url}/events`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: 'Audit Logs' }).waitFor();
}

/**
 * A page in a fresh browser context (its own cookies), 15 s to wait for anything. With `problems`, every script error
 * and console error lands there, for a suite to expect none at its end: the strict CSP must not break the app. The
 * 401 a logged-out page gets when it checks its session is expected, not a problem.
 *
 * @example const problems: string[] = []; const page = await openPage(browser, { problems });
 */
export async function openPage(browser: Browser, opts: { problems?: string[]; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const page = await (await browser.newContext({ viewport: opts.viewport ?? { width: 1500, height: 950 } })).newPage();
  page.setDefaultTimeout(15_000);
  const problems = opts.problems;
  if (problems) {
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  }
  return page;
}
