/**
 * User agents, IP addresses and places the simulated organisation uses.
 *
 * Address plan (all documentation ranges, never routable):
 * - 203.0.113.10-60: office NAT addresses, shared by everyone in an office;
 * - 203.0.113.70-99: reserved for the story's people (never handed out at random);
 * - 10.x.y.z: per-user VPN or home addresses;
 * - 198.51.100.0/24: "somewhere else" (travel, a new ISP): the network-change anomalies;
 * - 192.0.2.0/24: cloud hosts and Tor exits: the suspicious anomalies.
 */
import type { Rng } from './random.ts';

export type DeviceKind = 'desktop' | 'ios' | 'android' | 'browser';

/**
 * The Slack desktop (Electron) UA, the shape most members send.
 *
 * @example
 * slackDesktopUa('mac') // 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) … Slack/4.41.105 … Sonic Slack_SSB/4.41.105'
 */
export function slackDesktopUa(os: 'mac' | 'windows' | 'linux', version = '4.41.105'): string {
  const platform =
    os === 'mac'
      ? 'Macintosh; Intel Mac OS X 10_15_7'
      : os === 'windows'
        ? 'Windows NT 10.0; Win64; x64'
        : 'X11; Linux x86_64';
  return (
    `Mozilla/5.0 (${platform}) AppleWebKit/537.36 (KHTML, like Gecko) Slack/${version} ` +
    `Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 AppleWebKit/537.36 Sonic Slack_SSB/${version}`
  );
}

/**
 * The iOS app UA; the notification extension has its own bundle id, which is what trips `user_agent` anomalies.
 *
 * @example
 * slackIosUa() // 'com.tinyspeck.chatlyio/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)'
 */
export function slackIosUa(extension = false, version = '23.04.40', ios = '16.4.1'): string {
  const bundle = extension ? 'com.tinyspeck.chatlyio.NotificationService' : 'com.tinyspeck.chatlyio';
  return `${bundle}/${version} (iPhone; iOS ${ios}; Scale/3.00)`;
}

/**
 * The Android app UA.
 *
 * @example
 * slackAndroidUa() // 'Slack/23.04.10.0 (Android 13; Pixel 7)'
 */
export function slackAndroidUa(version = '23.04.10.0', android = '13', model = 'Pixel 7'): string {
  return `Slack/${version} (Android ${android}; ${model})`;
}

const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
] as const;

const DESKTOP_VERSIONS = ['4.41.105', '4.41.105', '4.41.97', '4.40.128'] as const;
const IOS_VERSIONS = [['23.04.40', '16.4.1'], ['24.10.10', '17.6.1'], ['25.01.20', '18.2']] as const;
const ANDROID_VERSIONS = [['23.04.10.0', '13', 'Pixel 7'], ['24.11.20.0', '14', 'SM-S918B'], ['25.01.10.0', '14', 'Pixel 8']] as const;

/**
 * A realistic UA for a device kind.
 *
 * @example
 * userAgentFor(createRng(1), 'ios') // 'com.tinyspeck.chatlyio/23.04.40 (iPhone; iOS 16.4.1; Scale/3.00)' or similar
 */
export function userAgentFor(rng: Rng, kind: DeviceKind): string {
  switch (kind) {
    case 'desktop':
      return slackDesktopUa(rng.pick(['mac', 'mac', 'windows', 'windows', 'linux'] as const), rng.pick(DESKTOP_VERSIONS));
    case 'ios': {
      const [v, os] = rng.pick(IOS_VERSIONS);
      return slackIosUa(false, v, os);
    }
    case 'android': {
      const [v, os, model] = rng.pick(ANDROID_VERSIONS);
      return slackAndroidUa(v, os, model);
    }
    case 'browser':
      return rng.pick(BROWSER_UAS);
  }
}

/**
 * An office NAT address (shared by colleagues, as real office egress is).
 *
 * @example
 * officeIp(rng) // '203.0.113.42'
 */
export function officeIp(rng: Rng): string {
  return `203.0.113.${rng.int(10, 60)}`;
}

/**
 * A personal VPN or home address.
 *
 * @example
 * personalIp(rng) // '10.12.200.7'
 */
export function personalIp(rng: Rng): string {
  return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

/**
 * An address on a network the user has never used (travel, new ISP).
 *
 * @example
 * elsewhereIp(rng) // '198.51.100.23'
 */
export function elsewhereIp(rng: Rng): string {
  return `198.51.100.${rng.int(1, 254)}`;
}

/**
 * A cloud-host or Tor-exit address.
 *
 * @example
 * suspiciousIp(rng) // '192.0.2.77'
 */
export function suspiciousIp(rng: Rng): string {
  return `192.0.2.${rng.int(1, 254)}`;
}

/** A time zone the organisation has an office in: fixed UTC offset (DST is ignored on purpose) and a place name. */
export interface Office {
  /** Hours east of UTC. */
  utcOffset: number;
  /** Human-readable place, in the style of anomaly `details.location`. */
  location: string;
}

export const OFFICES: readonly Office[] = [
  { utcOffset: -8, location: 'San Francisco, California' },
  { utcOffset: -5, location: 'New York, New York' },
  { utcOffset: 0, location: 'England, GB' },
  { utcOffset: 1, location: 'Berlin, DE' },
  { utcOffset: 8, location: 'Singapore, SG' },
];

/** Places a network-change anomaly reports (somewhere the user does not usually connect from). */
export const ELSEWHERE: readonly string[] = [
  'Reno, Nevada',
  'Lisbon, PT',
  'Toronto, Ontario',
  'Madrid, ES',
  'Austin, Texas',
  'Sydney, AU',
];
