/**
 * `ipFacts`: what the API says about an address, here with the shipped IP data (no `ip_data` in the config).
 * The HTTP route around it is covered in test/server-api.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../config/load.ts';
import { buildEnv } from '../../detect/env.ts';
import type { ServerDeps } from '../context.ts';
import { ipFacts } from './ips.ts';

// ipFacts reads only `deps.env`: a real environment, the rest of the server is not needed.
const deps = { env: buildEnv(configFromObject({ allowlists: { trusted_asns: [13335] } }, 'test config')) } as unknown as ServerDeps;

describe('ipFacts with the shipped IP data', () => {
  it('gives a public address its ASN, network name and country, and trusts it by ASN', () => {
    expect(ipFacts(deps, '1.1.1.1')).toEqual({
      trusted: { trusted: true, by: 'asn', match: 'AS13335' },
      asn: { asn: 13335, name: 'Cloudflare, Inc.' },
      country: 'AU',
      vpn: null,
      threat_intel: null,
    });
  });

  it('leaves documentation addresses (the demo uses them) unenriched', () => {
    expect(ipFacts(deps, '203.0.113.77')).toMatchObject({ asn: null, country: null, trusted: { trusted: false } });
  });
});
