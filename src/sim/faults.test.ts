import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from './server.ts';
import { drainLogs, fetchLogs, TEST_END } from './testing.ts';

const END = TEST_END;
type Obj = Record<string, any>;

async function withSim(opts: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator({ users: 10, days: 1, end: END, now: () => END, rateLimit: false, ...opts });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** A raw HTTP GET that reports what arrived even when the socket dies mid-body. */
function rawGet(url: string, token: string): Promise<{ status: number; contentLength: number; body: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => (aborted = true));
      res.on('error', () => (aborted = true));
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentLength: Number(res.headers['content-length']),
          body: Buffer.concat(chunks).toString('utf8'),
          aborted: aborted || !res.complete,
        }),
      );
    });
    req.on('error', reject);
  });
}

describe('fault injection', () => {
  it('errorRate: answers 500, 502 (HTML) and 503 instead of pages', async () => {
    await withSim({ faults: { errorRate: 1, faultSeed: 3 } }, async (sim) => {
      const seen = new Map<number, string>();
      for (let i = 0; i < 20; i++) {
        const r = await fetchLogs(sim, { limit: 5 });
        seen.set(r.status, r.text);
      }
      expect([...seen.keys()].sort()).toEqual([500, 502, 503]);
      expect(JSON.parse(seen.get(500)!)).toEqual({ ok: false, error: 'internal_error' });
      expect(seen.get(502)).toMatch(/^<html>/);
      expect(JSON.parse(seen.get(503)!)).toEqual({ ok: false, error: 'service_unavailable' });
      const s = sim.stats.faults;
      expect((s.error_500 ?? 0) + (s.error_502 ?? 0) + (s.error_503 ?? 0)).toBe(20);
    });
  });

  it('is reproducible: the same faultSeed gives the same statuses on the same requests', async () => {
    const run = async (): Promise<number[]> => {
      const out: number[] = [];
      await withSim({ faults: { errorRate: 0.4, faultSeed: 9 } }, async (sim) => {
        for (let i = 0; i < 15; i++) out.push((await fetchLogs(sim, { limit: 1 })).status);
      });
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('slowRate: waits slowMs before answering', async () => {
    await withSim({ faults: { slowRate: 1, slowMs: 300 } }, async (sim) => {
      const t = Date.now();
      expect((await fetchLogs(sim, { limit: 1 })).status).toBe(200);
      expect(Date.now() - t).toBeGreaterThanOrEqual(280);
      expect(sim.stats.faults.slow).toBe(1);
    });
  });

  it('truncate "short": a lying Content-Length and a clean end, the body cut mid-JSON', async () => {
    await withSim({ faults: { truncateRate: 1, truncateMode: 'short' } }, async (sim) => {
      const r = await fetchLogs(sim, { limit: 50 });
      expect(r.status).toBe(200);
      expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.text));
      expect(r.text.startsWith('{"entries":[')).toBe(true);
      expect(() => JSON.parse(r.text)).toThrow();
      expect(sim.stats.faults.truncate_short).toBe(1);
    });
  });

  it('truncate "destroy": the correct Content-Length, part of the body, then the socket dies', async () => {
    await withSim({ faults: { truncateRate: 1, truncateMode: 'destroy' } }, async (sim) => {
      const raw = await rawGet(`${sim.auditBaseUrl}/logs?limit=50`, sim.tokens.owner);
      expect(raw.status).toBe(200);
      expect(raw.aborted).toBe(true);
      expect(Buffer.byteLength(raw.body)).toBeLessThan(raw.contentLength);
      expect(() => JSON.parse(raw.body)).toThrow();
      // fetch reports it as an error while reading the body.
      const res = await fetch(`${sim.auditBaseUrl}/logs?limit=50`, { headers: { authorization: `Bearer ${sim.tokens.owner}` } });
      await expect(res.text()).rejects.toThrow();
    });
  });

  it('truncate "mixed" produces both kinds', async () => {
    await withSim({ faults: { truncateRate: 1, faultSeed: 4 } }, async (sim) => {
      for (let i = 0; i < 12; i++) await rawGet(`${sim.auditBaseUrl}/logs?limit=20`, sim.tokens.owner);
      expect(sim.stats.faults.truncate_short).toBeGreaterThan(0);
      expect(sim.stats.faults.truncate_destroy).toBeGreaterThan(0);
    });
  });

  it('duplicateRate: re-sends entries already served, same id and same raw text, keeping pages sorted', async () => {
    await withSim({ faults: { duplicateRate: 0.5, faultSeed: 2 } }, async (sim) => {
      const raws = new Map(sim.events().map((e) => [String(e.event.id), e.raw]));
      const first = await drainLogs(sim, { oldest: END - 43200 }, 50);
      const second = await drainLogs(sim, { oldest: END - 86400, latest: END - 43200 }, 50);
      const served = [...first.entries, ...second.entries];
      const ids = served.map((e) => String(e.id));
      expect(ids.length).toBeGreaterThan(new Set(ids).size);
      expect(sim.stats.faults.duplicate).toBe(ids.length - new Set(ids).size);
      expect(new Set(ids)).toEqual(new Set(sim.events().filter((e) => (e.event.date_create as number) >= END - 86400).map((e) => String(e.event.id))));
      for (const text of [...first.texts, ...second.texts]) {
        const entries = (JSON.parse(text) as Obj).entries as Obj[];
        for (const e of entries) expect(text).toContain(raws.get(e.id)!);
        for (let i = 1; i < entries.length; i++) expect(entries[i]!.date_create).toBeLessThanOrEqual(entries[i - 1]!.date_create);
      }
    });
  });

  it('cursorInvalidRate: rejects a valid cursor, and keeps rejecting it', async () => {
    await withSim({ faults: { cursorInvalidRate: 1 } }, async (sim) => {
      const p1 = await fetchLogs(sim, { limit: 5 });
      expect(p1.status).toBe(200);
      const cursor = p1.json!.response_metadata!.next_cursor!;
      for (let i = 0; i < 2; i++) {
        const r = await fetchLogs(sim, { limit: 5, cursor });
        expect([r.status, r.json]).toEqual([400, { ok: false, error: 'invalid_cursor' }]);
      }
      expect(sim.stats.faults.cursor_invalid).toBe(1);
    });
  });
});

describe('late arrivals', () => {
  it('hides late events until visibleAt, then releaseLate() shows them; the story is never late', async () => {
    let clock = END;
    await withSim({ users: 20, days: 2, now: () => clock, faults: { lateFraction: 0.3, lateDelaySec: 6 * 3600 } }, async (sim) => {
      const hidden = sim.events().filter((e) => e.visibleAt !== undefined && e.visibleAt > END);
      expect(hidden.length).toBeGreaterThan(10);
      for (const e of hidden) expect(e.event.date_create as number).toBeGreaterThan(END - 6 * 3600);
      const visible = sim.visibleIds();
      for (const e of hidden) expect(visible.has(String(e.event.id))).toBe(false);
      expect(visible.size).toBe(sim.events().length - hidden.length);

      const before = await drainLogs(sim, { oldest: END - 86400 });
      const ids = new Set(before.entries.map((e) => String(e.id)));
      for (const e of hidden) expect(ids.has(String(e.event.id))).toBe(false);
      const scraping = before.entries.filter((e) => (e as Obj).details?.reason?.includes('unexpected_scraping'));
      expect(scraping.length).toBe(1);

      // Time passing reveals some of them...
      clock = END + 3 * 3600;
      const some = sim.visibleIds();
      const revealed = hidden.filter((e) => some.has(String(e.event.id)));
      expect(revealed.length).toBeGreaterThan(0);
      expect(revealed.length).toBeLessThan(hidden.length);
      // ...and releaseLate() reveals the rest with their old date_create.
      sim.releaseLate();
      const after = await drainLogs(sim, { oldest: END - 86400 });
      const afterIds = new Set(after.entries.map((e) => String(e.id)));
      for (const e of hidden) expect(afterIds.has(String(e.event.id))).toBe(true);
      expect(sim.visibleIds().size).toBe(sim.events().length);
    });
  });

  it('marks given events late too, and lateReleaseAfterSec releases them on the real clock', async () => {
    const events = Array.from({ length: 40 }, (_, i) => ({ id: `e${String(i).padStart(2, '0')}`, date_create: END - i, action: 'user_login' }));
    await withSim({ events, lateReleaseAfterSec: 0.3, faults: { lateFraction: 0.5, lateDelaySec: 3600 } }, async (sim) => {
      const n = sim.visibleIds().size;
      expect(n).toBeGreaterThan(5);
      expect(n).toBeLessThan(35);
      expect((await fetchLogs(sim, { limit: 100 })).json!.entries!.length).toBe(n);
      await new Promise((r) => setTimeout(r, 350));
      expect((await fetchLogs(sim, { limit: 100 })).json!.entries!.length).toBe(40);
    });
  });
});
