/**
 * Reliability: property-based fuzzing of ingest (fast-check, fixed seed, printed) into a real store of each backend. Each run
 * imports a JSON Lines file mixing good events carrying hostile text with hostile lines (arbitrary bytes, invalid
 * UTF-8, deep nesting, wrong types in known fields). Nothing may throw; the counts add up; every hostile line is
 * quarantined with a reason and its exact bytes; every good event is stored, and `gridwatch events --format json`
 * gives back its exact text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestStream } from '../../src/ingest/index.ts';
import { generateOrg } from '../../src/sim/index.ts';
import { runCli } from '../cli-helpers.ts';
import { BACKENDS, skipOn } from './backends.ts';
import { figure } from './figures.ts';
import { FUZZ_SEED, hostileString } from './hostile.ts';

const RUNS = 40;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-rel-fuzz-ingest-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEMPLATE = generateOrg({ seed: 5, users: 5, days: 1, end: 1767225600 }).events.find((e) => e.event.action === 'file_downloaded')!.event as Record<string, any>;
let serial = 0;

/** A valid event (a copy of a simulator event) with a fresh id and hostile text in the fields analysts read. */
/** Random text of up to about 20,000 characters: long values that do not compress, unlike a repeated character. */
const longNoise = fc.uint8Array({ minLength: 2_000, maxLength: 15_000 }).map((a) => Buffer.from(a).toString('base64'));
const goodEvent = fc.record({ name: hostileString(), ua: fc.oneof(hostileString(), longNoise), actorName: fc.oneof(hostileString(20_000), longNoise) }).map((h) => {
  const e = structuredClone(TEMPLATE);
  e.id = `fuzz-${FUZZ_SEED}-${serial++}`;
  e.entity.file.name = h.name;
  e.context.ua = h.ua;
  e.actor.user.name = h.actorName;
  return Buffer.from(JSON.stringify(e));
});

const noNewline = (b: Buffer): boolean => !b.includes(0x0a) && b.toString('latin1').trim() !== '';

/** Lines that are not a valid event. */
const badLine = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((a) => Buffer.from(a)),
  // Invalid UTF-8 inside an otherwise valid event.
  fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]).map((bad) => {
    const text = JSON.stringify({ ...TEMPLATE, id: `bad-utf8-${serial++}` });
    const at = text.indexOf('"name":"') + 8;
    return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]);
  }),
  fc.integer({ min: 10, max: 100_000 }).map((n) => Buffer.from('['.repeat(n) + ']'.repeat(n))),
  fc.integer({ min: 10, max: 50_000 }).map((n) => Buffer.from('{"id":'.repeat(n) + '1' + '}'.repeat(n))),
  // Wrong types in known fields.
  fc.record({
    // The fields the schema types strictly (entity and context are kept as Slack sends them, whatever their shape).
    field: fc.constantFrom('id', 'date_create', 'action'),
    value: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(true), fc.double()),
  }).map(({ field, value }) => Buffer.from(JSON.stringify({ ...TEMPLATE, id: field === 'id' ? value : `wrong-${serial++}`, [field]: value }))),
  hostileString().map((s) => Buffer.from(JSON.stringify(s))),
  // An identifier the stores index, longer than any of Slack's, of random text (it does not compress: PostgreSQL's
  // B-tree limit is met, which a repeated character never reached).
  fc.record({
    field: fc.constantFrom('id', 'actor', 'entity', 'ip', 'session', 'email'),
    noise: fc.uint8Array({ minLength: 800, maxLength: 3_000 }).map((a) => Buffer.from(a).toString('base64')),
  }).map(({ field, noise }) => {
    const e = structuredClone(TEMPLATE);
    e.id = field === 'id' ? noise : `long-${field}-${serial++}`;
    if (field === 'actor') e.actor.user.id = noise;
    if (field === 'email') e.actor.user.email = noise;
    if (field === 'entity') e.entity.file.id = noise;
    if (field === 'ip') e.context.ip_address = noise;
    if (field === 'session') e.context.session_id = noise;
    return Buffer.from(JSON.stringify(e));
  }),
).filter(noNewline);

for (const backend of BACKENDS) {
  const reason = backend.skipReason();
  if (reason !== null) {
    skipOn('hostile input: ingest', backend, reason);
    continue;
  }
  describe(`hostile input: ingest (${backend.name})`, () => {
    it(`${RUNS} fuzzed files: good events stored exactly, the rest quarantined with a reason`, async () => {
      const made = await backend.create(dir, 'fuzz');
      const store = await made.open();
      const goodTexts = new Map<string, string>();
      let lines = 0;
      let quarantined = 0;
      console.log(`[reliability] hostile input: ingest (${backend.name}): seed ${FUZZ_SEED} (RELIABILITY_SEED=${FUZZ_SEED} reproduces it)`);
      const t0 = Date.now();
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.oneof(goodEvent.map((b) => ({ good: true, b })), badLine.map((b) => ({ good: false, b }))), { minLength: 1, maxLength: 12 }), async (rest) => {
            // A good event first, so the file reads as JSON Lines.
            const items = [{ good: true, b: fc.sample(goodEvent, { numRuns: 1, seed: serial })[0]! }, ...rest];
            const file = Buffer.concat(items.flatMap((i) => [i.b, Buffer.from('\n')]));
            const qBefore = await store.quarantineCount();
            const s = await ingestStream(Readable.from([file]), `fuzz-${serial}.jsonl`, { store });
            const bad = items.filter((i) => !i.good);
            expect(s.ingested + s.duplicates + s.quarantined).toBe(items.length);
            expect(s.quarantined).toBe(bad.length);
            expect((await store.quarantineCount()) - qBefore).toBe(bad.length);
            const q = bad.length ? await store.listQuarantine(bad.length) : [];
            for (const item of q) expect(item.reason.trim()).not.toBe('');
            expect(new Set(q.map((i) => i.raw.toString('base64')))).toEqual(new Set(bad.map((i) => i.b.toString('base64'))));
            for (const g of items.filter((i) => i.good)) {
              const text = g.b.toString('utf8');
              const id = JSON.parse(text).id as string;
              expect((await store.getEvent(id))?.raw).toBe(text);
              goodTexts.set(id, text);
            }
            lines += items.length;
            quarantined += bad.length;
          }),
          { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
        );
      } finally {
        await store.close();
      }
      // The CLI gives back the exact text of every good event.
      const r = await runCli(['--db', made.dbArg, 'events', '--format', 'json', '--limit', '0']);
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout.split('\n').filter(Boolean);
      expect(out.length).toBe(goodTexts.size);
      expect(new Set(out)).toEqual(new Set(goodTexts.values()));
      await made.cleanup();
      figure({ area: 'hostile input', backend: backend.name, name: 'ingest: fuzzed files / lines', value: `${RUNS} / ${lines}` });
      figure({ area: 'hostile input', backend: backend.name, name: 'ingest: stored exactly / quarantined with reason', value: `${goodTexts.size} / ${quarantined}` });
      figure({ area: 'hostile input', backend: backend.name, name: 'ingest: time', value: Math.round((Date.now() - t0) / 1000), unit: 's' });
    });
  });
}
