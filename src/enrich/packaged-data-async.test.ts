/**
 * The shipped IP-to-ASN data loaded on a worker thread answers exactly as the synchronous load does, and the loading
 * thread stays free meanwhile. Two fresh copies of the module, so each load really runs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);

/** Every 997th row's first and last address from both files, plus pseudo-random IPv4 addresses. */
function sampleAddresses(): string[] {
  const out: string[] = [];
  const v4 = readFileSync(require.resolve('@ip-location-db/asn/asn-ipv4-num.csv'), 'latin1').split('\n');
  const ip4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  for (let i = 0; i < v4.length; i += 997) {
    const [s, e] = v4[i]!.split(',');
    if (e) out.push(ip4(Number(s)), ip4(Number(e)));
  }
  const v6 = readFileSync(require.resolve('@ip-location-db/asn/asn-ipv6.csv'), 'latin1').split('\n');
  for (let i = 0; i < v6.length; i += 997) {
    const [s, e] = v6[i]!.split(',');
    if (e) out.push(s!, e);
  }
  let x = 12345;
  for (let i = 0; i < 3000; i++) out.push(ip4((x = (Math.imul(x, 1103515245) + 12345) >>> 0)));
  return out;
}

describe('shipped IP-to-ASN data loaded in the background', () => {
  it('keeps the thread free, answers unknown meanwhile, then exactly as the synchronous load', async () => {
    const bg = await import('./packaged-data.ts');
    const db = bg.packagedAsnDatabase({ whileLoading: 'unknown' });
    let last = performance.now();
    let maxGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 10);
    try {
      expect(db.lookup('1.1.1.1')).toBeNull(); // starts the load, does not wait for it
      expect(bg.packagedAsnLoaded()).toBe(false);
      await bg.loadPackagedAsnInBackground();
    } finally {
      clearInterval(tick);
    }
    expect(maxGap).toBeLessThan(200);
    expect(db.lookup('1.1.1.1')).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });

    vi.resetModules();
    const sync = await import('./packaged-data.ts');
    expect(sync).not.toBe(bg);
    expect(sync.packagedAsnLoaded()).toBe(false);
    const ref = sync.packagedAsnDatabase();
    const addrs = sampleAddresses();
    const answers = (d: typeof db) => addrs.map((ip) => [ip, d.lookup(ip), d.network!(ip)]);
    const expected = answers(ref);
    expect(answers(db)).toEqual(expected);
    expect(db.size).toBe(ref.size);
    // The sample is not mostly nulls: most rows' own addresses have an AS.
    expect(expected.filter(([, a]) => a !== null).length).toBeGreaterThan(400);
  });
});
