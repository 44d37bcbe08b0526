/**
 * ASN trust with no `ip_data` configured: the shipped IP-to-ASN data (src/enrich/packaged-data.ts) answers, so
 * `trusted_asns` works out of the box.
 */
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load.ts';
import { buildEnv } from './env.ts';
import { replayWithEngine } from './replay.ts';
import { specEvents, storeWith, testEngine } from './testing.ts';

async function newIpAlerts(trustedAsns: number[]) {
  // 1.1.1.0/24 is AS13335 (Cloudflare) in the shipped data: asn-ipv4.csv has `1.1.1.0,1.1.1.255,13335,"Cloudflare, Inc."`.
  const specs = [{ action: 'user_login', ip: '203.0.113.10', at: '-3d' }, { reasons: ['ip_address'], ip: '1.1.1.1' }];
  const engine = testEngine({ allowlists: { trusted_asns: trustedAsns } }, ['anomaly-from-new-ip']);
  await replayWithEngine(await storeWith(specEvents(specs)), engine);
  return engine.alerts.list();
}

describe('trusted_asns with the shipped ASN data', () => {
  it('trusting AS13335 suppresses the new-IP alert for an anomaly from a Cloudflare address', async () => {
    expect(await newIpAlerts([13335])).toHaveLength(0);
  });

  it('trusting another ASN does not', async () => {
    const alerts = await newIpAlerts([15169]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.context.ips[0]).toMatchObject({ ip: '1.1.1.1', trusted: { trusted: false } });
  });
});

describe('the environment with no ip_data', () => {
  it('gives every public address its ASN, network name and country from the shipped data', () => {
    const env = buildEnv(configFromObject({}, 'test config'));
    expect(env.lookupAsn('8.8.8.8')).toEqual({ asn: 15169, name: 'Google LLC' });
    expect(env.lookupCountry('1.1.1.1')).toBe('AU');
    expect(env.lookupCountry(null)).toBeNull();
    expect(env.trust('1.1.1.1')).toEqual({ trusted: false });
  });
});
