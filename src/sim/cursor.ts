/**
 * `/logs` cursors. Like Slack's (elastic/integrations#8163), a cursor encodes only a position in time, never the
 * filters: a page-2 request that drops `oldest` continues through all history (pitfall 2 of docs/slack-api.md 7).
 *
 * A cursor is standard base64 that always contains `+` and `/` and always ends in `=`: a client that does not
 * URL-encode it sends a `+` that the server reads as a space, and gets `invalid_cursor` (pitfall 6). The server
 * remembers every cursor it issued; anything else is `invalid_cursor`, and so is a cursor older than the expiry.
 */
import type { Rng } from './random.ts';

/** Where the next page starts: every entry strictly older than `beforeTs`. */
export interface CursorPosition {
  beforeTs: number;
}

export type CursorLookup =
  | { ok: true; position: CursorPosition }
  | { ok: false; reason: 'unknown' | 'expired' };

// 0xfb 0xff 0xbf encodes as "+/+/": every cursor needs URL-encoding, not just an unlucky few.
const MAGIC = [0xfb, 0xff, 0xbf];
const MAX_REMEMBERED = 100_000;

/**
 * Issues and resolves cursors. Times are the simulator clock's Unix seconds.
 *
 * @example
 * const store = new CursorStore(createRng(1), 300);
 * const c = store.issue({ beforeTs: 1700000000 }, now);
 * store.resolve(c, now + 10); // { ok: true, position: { beforeTs: 1700000000 } }
 * store.resolve(c, now + 301); // { ok: false, reason: 'expired' }
 */
export class CursorStore {
  private readonly issued = new Map<string, { position: CursorPosition; issuedAt: number }>();
  private serial = 0;

  /** `expirySec` of 0 or undefined: cursors never expire. */
  constructor(
    private readonly rng: Rng,
    private readonly expirySec?: number,
  ) {}

  /** Make a new cursor for a position. */
  issue(position: CursorPosition, now: number): string {
    this.serial++;
    // 16 or 17 bytes: never a multiple of 3, so the base64 always ends in "=" or "==".
    const nonce = this.rng.chance(0.5) ? 4 : 5;
    const buf = Buffer.alloc(MAGIC.length + 1 + 4 + 4 + nonce);
    MAGIC.forEach((b, i) => buf.writeUInt8(b, i));
    buf.writeUInt8(1, 3);
    buf.writeUInt32BE(position.beforeTs >>> 0, 4);
    buf.writeUInt32BE(this.serial >>> 0, 8);
    for (let i = 12; i < buf.length; i++) buf.writeUInt8(this.rng.int(0, 255), i);
    const cursor = buf.toString('base64');
    this.issued.set(cursor, { position, issuedAt: now });
    if (this.issued.size > MAX_REMEMBERED) this.issued.delete(this.issued.keys().next().value!);
    return cursor;
  }

  /** Look a cursor up; expired cursors are forgotten. */
  resolve(cursor: string, now: number): CursorLookup {
    const hit = this.issued.get(cursor);
    if (!hit) return { ok: false, reason: 'unknown' };
    if (this.expirySec && now - hit.issuedAt > this.expirySec) {
      this.issued.delete(cursor);
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, position: hit.position };
  }

  /** Drop a cursor, as if the server had lost it (the `cursorInvalidRate` fault). */
  forget(cursor: string): void {
    this.issued.delete(cursor);
  }

  /** How many cursors are remembered. */
  get size(): number {
    return this.issued.size;
  }
}
