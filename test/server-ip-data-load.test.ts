/**
 * Issue #13: the server answers as soon as it listens, whatever the IP data's load time. The shipped IP-to-ASN data
 * loads on a worker thread after listening; requests meanwhile are answered without waiting for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadPackagedAsnInBackground, packagedAsnLoaded } from '../src/enrich/packaged-data.ts';
import { createServer } from '../src/server/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';

it('answers /api/v1/health while the shipped IP data loads, the event loop never stalled 200 ms', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-ipload-'));
  const store = await openSqliteStore(join(dir, 'gridwatch.db'));
  const logs: string[] = [];
  const srv = await createServer({ store, port: 0, log: (msg) => void logs.push(msg) });
  let last = performance.now();
  let maxGap = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 10);
  try {
    expect(packagedAsnLoaded()).toBe(false);
    let answeredWhileLoading = 0;
    while (!packagedAsnLoaded()) {
      const r = await fetch(`${srv.url}/api/v1/health`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ ok: true });
      if (!packagedAsnLoaded()) answeredWhileLoading++;
      await new Promise((r) => setTimeout(r, 20));
    }
    await loadPackagedAsnInBackground();
    expect(answeredWhileLoading).toBeGreaterThan(3);
    expect(maxGap).toBeLessThan(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toContain('IP data loaded');
  } finally {
    clearInterval(tick);
    await srv.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
