import { describe, expect, it } from 'vitest';
import { describeSimulator, SimCliError, simOptionsFromCli } from './cli-options.ts';
import { startSimulator } from './server.ts';
import { TEST_END } from './testing.ts';

describe('simOptionsFromCli', () => {
  it('maps every flag, dashed or camelCased', () => {
    expect(
      simOptionsFromCli({
        port: '8787', seed: '7', days: '3', users: '50', 'error-rate': '0.05', slowRate: '0.1', 'slow-ms': '1500',
        'truncate-rate': '0.02', duplicateRate: '0.03', 'cursor-expiry': '300', 'cursor-invalid-rate': '0.01',
        'late-fraction': '0.04', 'late-delay': '900', 'late-release-after': '60', 'rate-limit': '20', verbose: true,
      }),
    ).toEqual({
      port: 8787, seed: 7, days: 3, users: 50, lateReleaseAfterSec: 60, rateLimit: { perMinute: 20 },
      faults: {
        errorRate: 0.05, slowRate: 0.1, slowMs: 1500, truncateRate: 0.02, duplicateRate: 0.03, cursorExpirySec: 300,
        cursorInvalidRate: 0.01, lateFraction: 0.04, lateDelaySec: 900,
      },
    });
  });

  it('turns the rate limit off with 0 and leaves absent flags out', () => {
    expect(simOptionsFromCli({ 'rate-limit': '0' })).toEqual({ rateLimit: false });
    expect(simOptionsFromCli({})).toEqual({});
    expect(simOptionsFromCli({ 'cursor-expiry': '0' })).toEqual({});
  });

  it('--rate-burst makes the limit a token bucket, at the default 50 a minute unless --rate-limit says otherwise', () => {
    expect(simOptionsFromCli({ 'rate-limit': '20', 'rate-burst': '5' })).toEqual({ rateLimit: { perMinute: 20, burst: 5 } });
    expect(simOptionsFromCli({ rateBurst: '5' })).toEqual({ rateLimit: { perMinute: 50, burst: 5 } });
  });

  it('names the flag in its errors', () => {
    const cases: Array<[Record<string, string | boolean>, RegExp]> = [
      [{ port: '70000' }, /^--port: must be between 0 and 65535/],
      [{ 'error-rate': '5%' }, /^--error-rate: expected a fraction/],
      [{ 'late-fraction': '1.5' }, /^--late-fraction/],
      [{ days: 'two' }, /^--days: expected a whole number/],
      [{ users: '0' }, /^--users/],
      [{ seed: true }, /^--seed: needs a value/],
      [{ 'rate-limit': '-1' }, /^--rate-limit/],
      [{ 'rate-burst': '0' }, /^--rate-burst: must be between 1/],
      [{ 'rate-burst': '2.5' }, /^--rate-burst: expected a whole number/],
      [{ 'rate-limit': '0', 'rate-burst': '5' }, /^--rate-burst: has no effect/],
    ];
    for (const [flags, message] of cases) {
      expect(() => simOptionsFromCli(flags)).toThrow(message);
      try {
        simOptionsFromCli(flags);
      } catch (e) {
        expect(e).toBeInstanceOf(SimCliError);
      }
    }
  });
});

describe('describeSimulator', () => {
  it('lists the URLs, every token with what it does, and the active faults', async () => {
    const sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, ...simOptionsFromCli({ 'error-rate': '0.05', 'rate-limit': '0' }) });
    try {
      const text = describeSimulator(sim).join('\n');
      expect(text).toContain(sim.auditBaseUrl);
      expect(text).toContain(sim.webApiBaseUrl);
      for (const token of Object.values(sim.tokens)) expect(text).toContain(token);
      expect(text).toMatch(/team_not_authorized/);
      expect(text).toMatch(/Rate limit: off/);
      expect(text).toMatch(/5xx 5%/);
      expect(text).toMatch(/Matt Levene/);
    } finally {
      await sim.close();
    }
  });

  it('says when the limit is a token bucket, and the bucket answers 429 after the burst', async () => {
    const sim = await startSimulator({ users: 5, days: 1, end: TEST_END, now: () => TEST_END, ...simOptionsFromCli({ 'rate-burst': '2' }) });
    try {
      expect(describeSimulator(sim).join('\n')).toMatch(/Rate limit: 50 calls per 60 s, bursts of 2 \(token bucket\)/);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${sim.auditBaseUrl}/logs?limit=1`, { headers: { authorization: `Bearer ${sim.tokens.owner}` } })).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await sim.close();
    }
  });
});
