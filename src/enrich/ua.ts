/**
 * User-agent classification for Slack audit events: which kind of client acted (Slack's own apps, a browser, a
 * script or an HTTP library, or something unknown), with a stable `family/name` key for "new client for this user"
 * rules.
 *
 * Slack's own clients are recognised first because generic parsers misread them (the desktop app looks like
 * Electron/Chrome; the iOS app's `com.tinyspeck.chatlyio/...` is not a browser at all). Browsers are left to
 * ua-parser-js 1.0.41 (2.x is AGPL). Library UAs are matched against a table of known product tokens.
 *
 * Results are memoised in a bounded map: an organisation has few distinct UAs and each repeats on thousands of events.
 */
import UAParser from 'ua-parser-js';

export type UaFamily = 'slack-desktop' | 'slack-mobile' | 'browser' | 'api-library' | 'unknown';

export interface ParsedUserAgent {
  family: UaFamily;
  /** `Slack Desktop`, `Slack iOS`, `Slack Android`, `Chrome`, `python-requests`, ... or the UA's first product for unknown. */
  name: string;
  version: string | null;
  /** `macOS`, `Windows`, `Linux`, `iOS`, `Android`, `ChromeOS`, ... when the UA says. */
  os: string | null;
  /**
   * Part of an app that made the request, when it is not the app itself: `NotificationService` for the iOS
   * notification extension. Kept out of `name` on purpose: the main app and its extensions swapping is normal and
   * must not look like a new client (it trips Slack's own `user_agent` anomaly, docs/slack-api.md 2.4).
   */
  component?: string;
}

/** One entry of the library table: a pattern whose first capture group, if any, is the version. */
interface LibraryPattern {
  re: RegExp;
  name: string;
}

/**
 * Known scripts, SDKs and HTTP libraries. Slack SDKs come first: their UAs also contain a language runtime token
 * (`Python/3.11 slack_sdk/3.21 ...`, `@slack:web-api/7.7.0 node/18.15.0 ...`).
 */
const LIBRARIES: LibraryPattern[] = [
  { re: /@slack:bolt\/([\w.-]+)/, name: '@slack/bolt' },
  { re: /@slack:web-api\/([\w.-]+)/, name: '@slack/web-api' },
  { re: /@slack:([\w-]+)\/([\w.-]+)/, name: '@slack/sdk' },
  { re: /\bslack_sdk\/([\w.-]+)/i, name: 'python-slack-sdk' },
  { re: /\bslack-sdk(?:\/([\w.-]+))?/i, name: 'slack-sdk' },
  { re: /\bslackclient\/([\w.-]+)/i, name: 'python-slackclient' },
  { re: /\bslack[ -]ruby[ -]client(?:\/([\w.-]+))?/i, name: 'slack-ruby-client' },
  { re: /\bslack-ruby(?:[\w-]*)(?:\/([\w.-]+))?/i, name: 'slack-ruby-client' },
  { re: /\bslack-api-client(?:\/([\w.-]+))?/i, name: 'java-slack-sdk' },
  { re: /^Go-http-client\/([\w.]+)/, name: 'Go-http-client' },
  { re: /^python-requests\/([\w.]+)/i, name: 'python-requests' },
  { re: /^Python-urllib\/([\w.]+)/i, name: 'Python-urllib' },
  { re: /^python-httpx\/([\w.]+)/i, name: 'python-httpx' },
  { re: /\baiohttp\/([\w.]+)/i, name: 'aiohttp' },
  { re: /^curl\/([\w.-]+)/i, name: 'curl' },
  { re: /^Wget\/([\w.-]+)/i, name: 'Wget' },
  { re: /^axios\/([\w.-]+)/i, name: 'axios' },
  { re: /^node-fetch(?:\/([\w.-]+))?/i, name: 'node-fetch' },
  { re: /^(?:node|undici)$/i, name: 'node' },
  { re: /^got(?:\/([\w.-]+))?(?:\s|$)/, name: 'got' },
  { re: /^okhttp\/([\w.-]+)/i, name: 'okhttp' },
  { re: /^Java\/([\w.-]+)/, name: 'Java' },
  { re: /^Apache-HttpClient\/([\w.-]+)/, name: 'Apache-HttpClient' },
  { re: /^Dalvik\/([\w.-]+)/, name: 'Dalvik' },
  { re: /^PostmanRuntime\/([\w.-]+)/, name: 'PostmanRuntime' },
  { re: /^insomnia\/([\w.-]+)/i, name: 'insomnia' },
  { re: /^HTTPie\/([\w.-]+)/i, name: 'HTTPie' },
  { re: /\bWindowsPowerShell\/([\w.-]+)/, name: 'PowerShell' },
  { re: /\bPowerShell\/([\w.-]+)/, name: 'PowerShell' },
  { re: /^Ruby$/, name: 'Ruby' },
  { re: /^Faraday v([\w.-]+)/, name: 'Faraday' },
  { re: /^rest-client\/([\w.-]+)/, name: 'rest-client' },
  { re: /^libwww-perl\/([\w.-]+)/, name: 'libwww-perl' },
  { re: /^GuzzleHttp\/([\w.-]+)/, name: 'GuzzleHttp' },
  { re: /^reqwest(?:\/([\w.-]+))?/, name: 'reqwest' },
  { re: /^Deno\/([\w.-]+)/, name: 'Deno' },
  { re: /^Bun\/([\w.-]+)/, name: 'Bun' },
  { re: /^(?:Scrapy|scrapy)\/([\w.-]+)/, name: 'Scrapy' },
  { re: /\bHeadlessChrome(?:\/([\w.-]+))?/, name: 'HeadlessChrome' },
];

const SLACK_DESKTOP = /\b(?:Slack_SSB|Slack)\/(\d[\w.]*)/;
const IOS_APP = /^com\.tinyspeck\.chatlyio(?:\.([A-Za-z]\w*))?\/(\d[\w.]*)/;
const SLACK_PREFIX_MOBILE = /^Slack\/(\d[\w.]*)\s*\(([^)]*)\)/;
const SLACK_CFNETWORK = /^Slack\/(\d[\w.]*)\s+CFNetwork\//;

/** ua-parser's OS names, made consistent with what people call them. */
function osName(name: string | undefined): string | null {
  if (!name) return null;
  if (name === 'Mac OS' || name === 'Mac OS X' || name === 'macOS') return 'macOS';
  if (name === 'Chromium OS' || name === 'Chrome OS') return 'ChromeOS';
  return name;
}

function uaParserResult(ua: string): UAParser.IResult {
  return new UAParser(ua).getResult();
}

function classify(raw: string): ParsedUserAgent {
  let ua = raw.trim();
  if (ua === '') return { family: 'unknown', name: 'none', version: null, os: null };
  // Slack prefixes app traffic with `ApiApp/<app id>`; what follows is the library the app used.
  const apiApp = /^ApiApp\/\S+\s*/.exec(ua);
  if (apiApp) {
    ua = ua.slice(apiApp[0].length);
    if (ua === '') return { family: 'api-library', name: 'ApiApp', version: null, os: null };
  }

  const ios = IOS_APP.exec(ua);
  if (ios) {
    const os = /\biOS\b|iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Mac OS|macOS/.test(ua) ? 'macOS' : 'iOS';
    const r: ParsedUserAgent = { family: 'slack-mobile', name: 'Slack iOS', version: ios[2]!, os };
    if (ios[1]) r.component = ios[1];
    return r;
  }
  if (/\bElectron\//.test(ua) || /\bSlack_SSB\//.test(ua)) {
    const m = SLACK_DESKTOP.exec(ua);
    if (m) return { family: 'slack-desktop', name: 'Slack Desktop', version: m[1]!, os: osName(uaParserResult(ua).os.name) };
  }
  const mobile = SLACK_PREFIX_MOBILE.exec(ua);
  if (mobile) {
    const inside = mobile[2]!;
    if (/Android/i.test(inside)) return { family: 'slack-mobile', name: 'Slack Android', version: mobile[1]!, os: 'Android' };
    if (/iPhone|iPad|iPod|iOS/.test(inside)) return { family: 'slack-mobile', name: 'Slack iOS', version: mobile[1]!, os: 'iOS' };
  }
  const cf = SLACK_CFNETWORK.exec(ua);
  if (cf) return { family: 'slack-mobile', name: 'Slack iOS', version: cf[1]!, os: 'iOS' };

  for (const lib of LIBRARIES) {
    const m = lib.re.exec(ua);
    if (m) {
      // The last capture group that matched is the version (`@slack:<pkg>/<ver>` has two groups).
      let version: string | null = null;
      for (let i = m.length - 1; i >= 1; i--) {
        if (m[i]) {
          version = m[i]!;
          break;
        }
      }
      const name = lib.name === '@slack/sdk' && m[1] ? `@slack/${m[1]}` : lib.name;
      return { family: 'api-library', name, version, os: null };
    }
  }

  const r = uaParserResult(ua);
  if (r.browser.name && /^Mozilla\/|^Opera\//.test(ua)) {
    return { family: 'browser', name: r.browser.name, version: r.browser.version ?? null, os: osName(r.os.name) };
  }
  return { family: 'unknown', name: unknownName(ua), version: null, os: osName(r.os.name) };
}

/** A short, stable label for an unrecognised UA: its first product, without version, at most 40 characters. */
function unknownName(ua: string): string {
  const head = ua.split(/[/(;]/, 1)[0]!.trim();
  return (head || ua).slice(0, 40);
}

const MAX_CACHE = 5000;
const MAX_CACHED_LENGTH = 1024;
const cache = new Map<string, ParsedUserAgent>();

/**
 * Classify a user agent. Never throws; null or empty gives `{ family: 'unknown', name: 'none' }`.
 * The returned object is shared with the memo cache: treat it as read-only.
 *
 * @example
 * parseUserAgent('com.tinyspeck.chatlyio/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)')
 * // { family: 'slack-mobile', name: 'Slack iOS', version: '23.04.40', os: 'iOS' }
 * parseUserAgent('python-requests/2.31.0')
 * // { family: 'api-library', name: 'python-requests', version: '2.31.0', os: null }
 */
export function parseUserAgent(ua: string | null | undefined): ParsedUserAgent {
  if (ua == null) return classify('');
  const hit = cache.get(ua);
  if (hit) {
    // Refresh recency so frequent UAs stay while one-off ones are evicted first (LRU).
    cache.delete(ua);
    cache.set(ua, hit);
    return hit;
  }
  const r = Object.freeze(classify(ua)) as ParsedUserAgent;
  if (ua.length <= MAX_CACHED_LENGTH) {
    if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(ua, r);
  }
  return r;
}

/**
 * The `family/name` key used by "new value" rules: versions and OS are left out so upgrades are not new clients.
 *
 * @example
 * uaFamilyKey('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105')
 * // 'slack-desktop/Slack Desktop'
 * uaFamilyKey('Go-http-client/2.0') // 'api-library/Go-http-client'
 */
export function uaFamilyKey(ua: string | null | undefined): string {
  const p = parseUserAgent(ua);
  return `${p.family}/${p.name}`;
}

/**
 * Number of memoised UAs (for tests and diagnostics).
 *
 * @example
 * uaCacheSize() // <= 5000
 */
export function uaCacheSize(): number {
  return cache.size;
}
