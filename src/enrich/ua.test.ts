import { describe, expect, it } from 'vitest';
import { parseUserAgent, uaCacheSize, uaFamilyKey, type ParsedUserAgent } from './ua.ts';

type Case = [label: string, ua: string | null, expected: Partial<ParsedUserAgent> & Pick<ParsedUserAgent, 'family' | 'name'>];

const cases: Case[] = [
  // Slack desktop (Electron) on each OS, including the observed Apple Silicon variant (Sekoia test data).
  ['desktop macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
    { family: 'slack-desktop', name: 'Slack Desktop', version: '4.41.105', os: 'macOS' }],
  ['desktop macOS AppleSilicon', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 26_6_2) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.44.65 Chrome/136.0.7103.149 Electron/36.4.0 Safari/537.36 AppleSilicon Sonic Slack_SSB/4.44.65',
    { family: 'slack-desktop', name: 'Slack Desktop', version: '4.44.65', os: 'macOS' }],
  ['desktop Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.36.140 Chrome/120.0.6099.56 Electron/28.0.0 Safari/537.36 Sonic Slack_SSB/4.36.140',
    { family: 'slack-desktop', name: 'Slack Desktop', version: '4.36.140', os: 'Windows' }],
  ['desktop Linux', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
    { family: 'slack-desktop', name: 'Slack Desktop', version: '4.41.105', os: 'Linux' }],
  ['desktop old SSB only', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML, like Gecko) AtomShell/3.4.1 Chrome/61.0 Safari/537.36 Slack_SSB/3.4.1',
    { family: 'slack-desktop', name: 'Slack Desktop', version: '3.4.1', os: 'macOS' }],

  // Slack mobile.
  ['iOS app', 'com.tinyspeck.chatlyio/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)',
    { family: 'slack-mobile', name: 'Slack iOS', version: '23.04.40', os: 'iOS', component: undefined }],
  ['iOS iPad', 'com.tinyspeck.chatlyio/24.01.10 (iPad; iOS 17.2; Scale/2.00)', { family: 'slack-mobile', name: 'Slack iOS', version: '24.01.10', os: 'iOS' }],
  ['iOS NotificationService extension', 'com.tinyspeck.chatlyio.NotificationService/26.08.30 (iPhone; iOS 26.5; Scale/3.00)',
    { family: 'slack-mobile', name: 'Slack iOS', version: '26.08.30', os: 'iOS', component: 'NotificationService' }],
  ['iOS share extension', 'com.tinyspeck.chatlyio.share/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)',
    { family: 'slack-mobile', name: 'Slack iOS', component: 'share' }],
  ['iOS CFNetwork', 'Slack/230440 CFNetwork/1408.0.4 Darwin/22.5.0', { family: 'slack-mobile', name: 'Slack iOS', version: '230440', os: 'iOS' }],
  ['Android app', 'Slack/23.04.10.0 (Android 13; SM-G991B)', { family: 'slack-mobile', name: 'Slack Android', version: '23.04.10.0', os: 'Android' }],
  ['Android app Linux prefix', 'Slack/22.10.10.0 (Linux; U; Android 12; Pixel 6 Build/SQ3A)', { family: 'slack-mobile', name: 'Slack Android', os: 'Android' }],

  // Browsers (ua-parser-js).
  ['Chrome macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/64.0.3282.186 Safari/537.36',
    { family: 'browser', name: 'Chrome', version: '64.0.3282.186', os: 'macOS' }],
  ['Chrome Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { family: 'browser', name: 'Chrome', version: '120.0.0.0', os: 'Windows' }],
  ['Edge', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    { family: 'browser', name: 'Edge', version: '120.0.2210.91', os: 'Windows' }],
  ['Firefox Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', { family: 'browser', name: 'Firefox', version: '121.0', os: 'Linux' }],
  ['old Firefox (S3 previous_ua)', 'Mozilla/5.0 (X11; Linux i686; rv:10.0) Gecko/20100101 Firefox/10.0', { family: 'browser', name: 'Firefox', version: '10.0' }],
  ['Safari macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
    { family: 'browser', name: 'Safari', version: '17.2', os: 'macOS' }],
  ['Mobile Safari', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
    { family: 'browser', name: 'Mobile Safari', os: 'iOS' }],
  ['Chrome Android', 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
    { family: 'browser', name: 'Chrome', os: 'Android' }],
  ['ChromeOS', 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { family: 'browser', name: 'Chrome', os: 'ChromeOS' }],

  // Scripts, SDKs and HTTP libraries.
  ['Go', 'Go-http-client/2.0', { family: 'api-library', name: 'Go-http-client', version: '2.0', os: null }],
  ['Go 1.1', 'Go-http-client/1.1', { family: 'api-library', name: 'Go-http-client', version: '1.1' }],
  ['requests', 'python-requests/2.31', { family: 'api-library', name: 'python-requests', version: '2.31' }],
  ['requests full', 'python-requests/2.31.0', { family: 'api-library', name: 'python-requests', version: '2.31.0' }],
  ['urllib', 'Python-urllib/3.11', { family: 'api-library', name: 'Python-urllib', version: '3.11' }],
  ['httpx', 'python-httpx/0.25.2', { family: 'api-library', name: 'python-httpx' }],
  ['aiohttp', 'Python/3.11 aiohttp/3.9.1', { family: 'api-library', name: 'aiohttp', version: '3.9.1' }],
  ['curl', 'curl/8.0', { family: 'api-library', name: 'curl', version: '8.0' }],
  ['curl full', 'curl/8.4.0', { family: 'api-library', name: 'curl', version: '8.4.0' }],
  ['wget', 'Wget/1.21.4', { family: 'api-library', name: 'Wget' }],
  ['axios', 'axios/1.6', { family: 'api-library', name: 'axios', version: '1.6' }],
  ['node-fetch', 'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)', { family: 'api-library', name: 'node-fetch', version: '1.0' }],
  ['node-fetch bare', 'node-fetch', { family: 'api-library', name: 'node-fetch', version: null }],
  ['node fetch', 'node', { family: 'api-library', name: 'node' }],
  ['undici', 'undici', { family: 'api-library', name: 'node' }],
  ['okhttp', 'okhttp/4.9.2', { family: 'api-library', name: 'okhttp', version: '4.9.2' }],
  ['Java', 'Java/1.8.0_292', { family: 'api-library', name: 'Java', version: '1.8.0_292' }],
  ['Java 17', 'Java/17.0.2', { family: 'api-library', name: 'Java' }],
  ['Apache HttpClient', 'Apache-HttpClient/4.5.13 (Java/11.0.16)', { family: 'api-library', name: 'Apache-HttpClient' }],
  ['Slack Ruby', 'Slack Ruby Client/2.1.0', { family: 'api-library', name: 'slack-ruby-client', version: '2.1.0' }],
  ['Slack-Ruby', 'Slack-Ruby/1.0', { family: 'api-library', name: 'slack-ruby-client' }],
  ['python slack_sdk', 'Python/3.11.4 slack_sdk/3.21.3 Darwin/22.5.0', { family: 'api-library', name: 'python-slack-sdk', version: '3.21.3' }],
  ['slack-sdk', 'slack-sdk/3.26.0', { family: 'api-library', name: 'slack-sdk', version: '3.26.0' }],
  ['python slackclient', 'Python/3.8.10 slackclient/2.9.4 Linux/5.4.0', { family: 'api-library', name: 'python-slackclient' }],
  ['node web-api', '@slack:web-api/7.7.0 node/18.15.0 darwin/23.6.0', { family: 'api-library', name: '@slack/web-api', version: '7.7.0' }],
  ['bolt', '@slack:socket-mode/2.0.2 @slack:bolt/4.1.0 @slack:web-api/7.7.0 node/18.16.1 darwin/23.6.0', { family: 'api-library', name: '@slack/bolt', version: '4.1.0' }],
  ['other @slack package', '@slack:oauth/3.0.0 node/20.1.0 linux/6.1', { family: 'api-library', name: '@slack/oauth', version: '3.0.0' }],
  ['ApiApp prefix', 'ApiApp/A0123ABCD @slack:socket-mode/2.0.5 @slack:bolt/4.6.0 @slack:web-api/7.13.0 openclaw/22.22.0 linux', { family: 'api-library', name: '@slack/bolt' }],
  ['ApiApp alone', 'ApiApp/A0123ABCD', { family: 'api-library', name: 'ApiApp' }],
  ['Postman', 'PostmanRuntime/7.36.0', { family: 'api-library', name: 'PostmanRuntime' }],
  ['PowerShell', 'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3570', { family: 'api-library', name: 'PowerShell', version: '5.1.19041.3570' }],
  ['HeadlessChrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.71 Safari/537.36', { family: 'api-library', name: 'HeadlessChrome' }],
  ['Dalvik', 'Dalvik/2.1.0 (Linux; U; Android 6.0.1; LS-5016 Build/MMB29M)', { family: 'api-library', name: 'Dalvik' }],

  // Unknown.
  ['scraper', 'Scrapers Inc', { family: 'unknown', name: 'Scrapers Inc', version: null }],
  ['custom tool', 'MyExfilTool/0.1 (linux)', { family: 'unknown', name: 'MyExfilTool' }],
  ['bare Mozilla', 'Mozilla/5.0', { family: 'unknown', name: 'Mozilla' }],
  ['empty', '', { family: 'unknown', name: 'none', version: null, os: null }],
  ['whitespace', '   ', { family: 'unknown', name: 'none' }],
  ['null', null, { family: 'unknown', name: 'none', version: null, os: null }],
];

describe('parseUserAgent', () => {
  it.each(cases)('%s', (_label, ua, expected) => {
    const got = parseUserAgent(ua);
    for (const [k, v] of Object.entries(expected)) expect(got[k as keyof ParsedUserAgent], `field ${k}`).toEqual(v);
  });

  it('does not mistake library names inside browser UAs', () => {
    expect(parseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 curl-like').family).toBe('browser');
  });

  it('memoises: the same object comes back and the cache is bounded', () => {
    const ua = 'Go-http-client/2.0';
    expect(parseUserAgent(ua)).toBe(parseUserAgent(ua));
    for (let i = 0; i < 6000; i++) parseUserAgent(`tool-${i}/1.0`);
    expect(uaCacheSize()).toBeLessThanOrEqual(5000);
    // Still correct after eviction.
    expect(parseUserAgent(ua).name).toBe('Go-http-client');
  });

  it('returns frozen results so a caller cannot corrupt the cache', () => {
    const r = parseUserAgent('curl/8.0');
    expect(Object.isFrozen(r)).toBe(true);
  });

  it('never throws on hostile input', () => {
    for (const ua of ['\u0000', '('.repeat(5000), 'Mozilla/5.0 ('.repeat(300), '💥/1.0', 'a'.repeat(20000)]) {
      expect(() => parseUserAgent(ua)).not.toThrow();
    }
    expect(parseUserAgent('a'.repeat(20000)).name.length).toBeLessThanOrEqual(40);
  });
});

describe('uaFamilyKey', () => {
  it.each([
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105', 'slack-desktop/Slack Desktop'],
    ['com.tinyspeck.chatlyio/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)', 'slack-mobile/Slack iOS'],
    ['Go-http-client/2.0', 'api-library/Go-http-client'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', 'browser/Firefox'],
    ['Scrapers Inc', 'unknown/Scrapers Inc'],
    [null, 'unknown/none'],
  ])('%s → %s', (ua, key) => {
    expect(uaFamilyKey(ua)).toBe(key);
  });

  it('ignores versions, so upgrades are not new clients', () => {
    expect(uaFamilyKey('python-requests/2.28.1')).toBe(uaFamilyKey('python-requests/2.31.0'));
    expect(uaFamilyKey('Slack/23.04.10.0 (Android 13; SM-G991B)')).toBe(uaFamilyKey('Slack/24.01.10.0 (Android 14; Pixel 8)'));
  });

  it('treats the iOS notification extension as the same client as the app (benign switch)', () => {
    expect(uaFamilyKey('com.tinyspeck.chatlyio.NotificationService/26.08.30 (iPhone; iOS 26.5; Scale/3.00)'))
      .toBe(uaFamilyKey('com.tinyspeck.chatlyio/26.08.30 (iPhone; iOS 26.5; Scale/3.00)'));
  });
});
