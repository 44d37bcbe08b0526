import { isUtf8 } from 'node:buffer';

/**
 * Split a byte stream of exported audit events into one candidate per event, without decoding it as a whole, so that
 * memory stays flat whatever the file size and invalid UTF-8 can be quarantined event by event.
 *
 * Accepted layouts: JSON Lines (one event per line), a JSON array of events, saved `/logs` responses
 * (`{"entries": [...]}`, one per line or pretty-printed, several in a row), and any mix of these as a sequence of
 * top-level values. The layout is decided from the first bytes.
 */

/**
 * A candidate event and where it was found, e.g. `line 12` or `element 3` or `line 2 entry 5`. Exactly one of `text`
 * and `bytes` is set: JSON Lines whose chunk is valid UTF-8 are decoded once per chunk and arrive as text; anything
 * else arrives as its exact bytes.
 */
export interface Candidate {
  text?: string;
  bytes?: Buffer;
  position: string;
  /** Set when the splitter already knows the bytes are not an event (broken structure). */
  error?: string;
}

const NL = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;

const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

function firstNonWs(buf: Buffer): number {
  let i = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < buf.length && isWs(buf[i]!)) i++;
  return i;
}

/**
 * Does the first line of `head` hold a complete JSON value (so the input is JSON Lines)?
 * Pretty-printed documents open a bracket on the first line and close it later.
 */
function firstLineIsComplete(head: Buffer, start: number): boolean {
  const nl = head.indexOf(NL, start);
  if (nl < 0) return true; // a single line: line mode handles it
  let depth = 0;
  let inStr = false;
  for (let i = start; i < nl; i++) {
    const b = head[i]!;
    if (inStr) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inStr = false;
    } else if (b === QUOTE) inStr = true;
    else if (b === OPEN_OBJ || b === OPEN_ARR) depth++;
    else if (b === CLOSE_OBJ || b === CLOSE_ARR) depth--;
  }
  return depth <= 0;
}

/** True when a line is a saved `/logs` response rather than an event. Cheap pre-check before parsing. */
function mayBeWrapper(line: Buffer): boolean {
  return line.includes('"entries"');
}

/**
 * Split an async stream of byte chunks into candidate events, a batch (one input chunk's worth) at a time.
 *
 * @example
 * for await (const batch of splitCandidates(fs.createReadStream('events.jsonl'))) for (const c of batch) console.log(c.position);
 */
export async function* splitCandidates(chunks: AsyncIterable<Buffer>): AsyncGenerator<Candidate[]> {
  const it = chunks[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  // Read enough to decide the layout (the first line, or 64 KiB).
  while (head.indexOf(NL) < 0 && head.length < 65536) {
    const n = await it.next();
    if (n.done) break;
    head = head.length ? Buffer.concat([head, n.value]) : n.value;
  }
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => it };
  const start = firstNonWs(head);
  if (start >= head.length) {
    // Whitespace only so far: fall back to line mode, which copes with anything.
    yield* splitLines(head, rest);
    return;
  }
  const first = head[start]!;
  if (first === OPEN_ARR || (first === OPEN_OBJ && !firstLineIsComplete(head, start))) {
    yield* splitDocument(head, rest);
  } else {
    yield* splitLines(head, rest);
  }
}

/** A JSON Lines candidate; its position text is made only when asked for (quarantine), not for every line. */
class LineCandidate implements Candidate {
  constructor(
    readonly text: string | undefined,
    readonly bytes: Buffer | undefined,
    private readonly lineNo: number,
  ) {}

  get position(): string {
    return `line ${this.lineNo}`;
  }
}

const isWsCode = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;

/**
 * JSON Lines. Each chunk's complete lines are checked for valid UTF-8 in one native pass and decoded in one go;
 * only a chunk holding invalid bytes is split line by line as bytes, so the bad line can be quarantined exactly.
 */
async function* splitLines(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Candidate[]> {
  let carry = head;
  let lineNo = 0;
  const fromBytes = (line: Buffer, out: Candidate[]) => {
    lineNo++;
    let end = line.length;
    if (end && line[end - 1] === 0x0d) end--; // CRLF
    let s = 0;
    while (s < end && isWs(line[s]!)) s++;
    if (s === end) return; // blank line
    const bytes = line.subarray(s, end);
    const spans = mayBeWrapper(bytes) ? wrapperEntries(bytes) : null;
    if (spans) spans.forEach((span, i) => out.push({ bytes: span, position: `line ${lineNo} entry ${i}` }));
    else out.push(new LineCandidate(undefined, bytes, lineNo));
  };
  const fromText = (text: string, out: Candidate[]) => {
    let from = 0;
    while (from < text.length) {
      let nl = text.indexOf('\n', from);
      if (nl < 0) nl = text.length;
      lineNo++;
      let s = from;
      let end = nl;
      from = nl + 1;
      if (text.charCodeAt(end - 1) === 0x0d) end--;
      while (s < end && isWsCode(text.charCodeAt(s))) s++;
      if (s === end) continue;
      const line = text.slice(s, end);
      if (line.includes('"entries"')) {
        const bytes = Buffer.from(line);
        const spans = wrapperEntries(bytes);
        if (spans) {
          spans.forEach((span, i) => out.push({ bytes: span, position: `line ${lineNo} entry ${i}` }));
          continue;
        }
      }
      out.push(new LineCandidate(line, undefined, lineNo));
    }
  };
  const drain = (final: boolean): Candidate[] => {
    const out: Candidate[] = [];
    const last = final ? carry.length - 1 : carry.lastIndexOf(NL);
    if (last < 0) return out;
    const whole = carry.subarray(0, last + 1);
    carry = carry.subarray(last + 1);
    if (isUtf8(whole)) {
      fromText(whole.toString('utf8'), out);
    } else {
      let from = 0;
      for (;;) {
        const nl = whole.indexOf(NL, from);
        fromBytes(whole.subarray(from, nl < 0 ? whole.length : nl), out);
        if (nl < 0 || nl === whole.length - 1) break;
        from = nl + 1;
      }
    }
    return out;
  };
  yield drain(false);
  for await (const chunk of rest) {
    carry = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    yield drain(false);
  }
  yield drain(true);
}

/**
 * When `bytes` is an object with an `entries` array and is not itself an event, the byte spans of the entries.
 * Decided by parsing (a wrapper line is a whole API response, parsed once).
 */
function wrapperEntries(bytes: Buffer): Buffer[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (!isWrapper(parsed)) return null;
  const scanner = new DocumentScanner();
  const out: Buffer[] = [];
  scanner.push(bytes, (c) => out.push(...c.entries));
  scanner.finish((c) => out.push(...c.entries));
  return out;
}

function isWrapper(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return Array.isArray(o.entries) && !(typeof o.id === 'string' && typeof o.action === 'string');
}

interface TopValue {
  /** The top-level value's bytes (for objects). */
  whole: Buffer | null;
  /** Element spans: array elements, or the `entries` elements of a top-level object. */
  entries: Buffer[];
  kind: 'array' | 'object' | 'other';
  /** Set when the structure was broken; `whole` then holds the bytes up to the break. */
  error?: string;
}

/**
 * A streaming, string-aware bracket scanner over top-level JSON values. Arrays are emitted element by element (so a
 * huge array never sits in memory); objects are kept whole, with the spans of their `entries` array recorded so a
 * saved API response can be split without re-serialising.
 */
class DocumentScanner {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0; // next byte to scan in buf
  private depth = 0;
  private inStr = false;
  private esc = false;
  private kind: TopValue['kind'] | null = null;
  private valueStart = -1; // top-level object start in buf
  private elemStart = -1; // current element start in buf
  private entries: Buffer[] = [];
  // Key tracking inside a top-level object: the last string closed at depth 1 and whether a ':' followed.
  private lastStrStart = -1;
  private lastKey: string | null = null;
  private inEntries = false;

  push(chunk: Buffer, emit: (v: TopValue) => void): void {
    // After each scan `buf` starts at the earliest byte still needed, so appending is all there is to do.
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.scan(emit);
  }

  /** Earliest byte still needed: the open object or element. */
  private keepFrom(): number {
    let keep = this.pos;
    for (const s of [this.valueStart, this.elemStart, this.lastStrStart]) if (s >= 0 && s < keep) keep = s;
    return keep;
  }

  /** Drop `d` bytes from the front of `buf` and move every offset with them. */
  private dropFront(d: number): void {
    this.buf = this.buf.subarray(d);
    this.pos -= d;
    if (this.valueStart >= 0) this.valueStart -= d;
    if (this.elemStart >= 0) this.elemStart -= d;
    if (this.lastStrStart >= 0) this.lastStrStart -= d;
  }

  private scan(emit: (v: TopValue) => void): void {
    const b = this.buf;
    for (let i = this.pos; i < b.length; i++) {
      const c = b[i]!;
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === BACKSLASH) this.esc = true;
        else if (c === QUOTE) {
          this.inStr = false;
          if (this.kind === 'object' && this.depth === 1 && this.lastStrStart >= 0) {
            this.lastKey = b.toString('utf8', this.lastStrStart + 1, i);
          }
        }
        continue;
      }
      if (isWs(c)) continue;
      if (this.depth === 0) {
        if (c === OPEN_ARR) {
          this.kind = 'array';
          this.depth = 1;
        } else if (c === OPEN_OBJ) {
          this.kind = 'object';
          this.depth = 1;
          this.valueStart = i;
        } else {
          // Garbage between values: report the rest of its line and resume on the next line.
          const nl = b.indexOf(NL, i);
          const end = nl < 0 ? b.length : nl;
          emit({ whole: Buffer.from(b.subarray(i, end)), entries: [], kind: 'other', error: 'not a JSON object or array' });
          i = end;
        }
        continue;
      }
      const elementDepth = this.kind === 'array' ? 1 : this.inEntries ? 2 : -1;
      if (this.depth === elementDepth && this.elemStart < 0 && c !== COMMA && c !== CLOSE_ARR) this.elemStart = i;
      if (c === QUOTE) {
        this.inStr = true;
        if (this.kind === 'object' && this.depth === 1) this.lastStrStart = i;
        if (this.depth === elementDepth && this.elemStart < 0) this.elemStart = i;
        continue;
      }
      if (this.kind === 'object' && this.depth === 1 && c === OPEN_ARR && this.lastKey === 'entries') {
        this.inEntries = true;
        this.entries = [];
        this.depth++;
        continue;
      }
      if (c === OPEN_OBJ || c === OPEN_ARR) {
        this.depth++;
        continue;
      }
      if ((c === COMMA || c === CLOSE_ARR || c === CLOSE_OBJ) && this.depth === elementDepth && this.elemStart >= 0) {
        const elem = Buffer.from(trimEnd(b.subarray(this.elemStart, i)));
        this.elemStart = -1;
        if (this.kind === 'array') emit({ whole: null, entries: [elem], kind: 'array' });
        else this.entries.push(elem);
      }
      if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        this.depth--;
        if (this.kind === 'object' && this.depth === 1 && this.inEntries) this.inEntries = false;
        if (this.depth === 0) {
          if (this.kind === 'object') {
            emit({ whole: Buffer.from(b.subarray(this.valueStart, i + 1)), entries: this.entries, kind: 'object' });
          }
          this.resetValue();
        }
      } else if (c === COMMA && this.depth === 1 && this.kind === 'object') {
        this.lastKey = null;
        this.lastStrStart = -1;
      }
    }
    this.pos = b.length;
    const keep = this.keepFrom();
    if (keep > 0) this.dropFront(keep);
  }

  private resetValue(): void {
    this.kind = null;
    this.valueStart = -1;
    this.elemStart = -1;
    this.entries = [];
    this.lastKey = null;
    this.lastStrStart = -1;
    this.inEntries = false;
  }

  /** End of input: anything still open is a truncated value. */
  finish(emit: (v: TopValue) => void): void {
    if (this.depth === 0 && !this.inStr) return;
    const from = this.kind === 'array' ? this.elemStart : this.valueStart;
    if (from >= 0) {
      emit({ whole: Buffer.from(this.buf.subarray(from)), entries: [], kind: 'other', error: 'truncated JSON at end of input' });
    } else if (this.kind === 'array') {
      emit({ whole: Buffer.alloc(0), entries: [], kind: 'other', error: 'truncated JSON array at end of input (missing "]")' });
    }
    this.depth = 0;
    this.inStr = false;
  }
}

function trimEnd(b: Buffer): Buffer {
  let e = b.length;
  while (e > 0 && isWs(b[e - 1]!)) e--;
  return b.subarray(0, e);
}

/** A JSON array or pretty-printed objects: the streaming scanner. */
async function* splitDocument(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Candidate[]> {
  const scanner = new DocumentScanner();
  let elementNo = 0;
  let objectNo = 0;
  const out: Candidate[] = [];
  const onValue = (v: TopValue) => {
    if (v.kind === 'array') {
      out.push({ bytes: v.entries[0]!, position: `element ${elementNo++}` });
    } else if (v.kind === 'object') {
      objectNo++;
      let wrapper = false;
      if (v.entries.length || v.whole!.includes('"entries"')) {
        try {
          wrapper = isWrapper(JSON.parse(v.whole!.toString('utf8')));
        } catch {
          wrapper = false; // not valid JSON: quarantined as a whole below
        }
      }
      if (wrapper) v.entries.forEach((e, i) => out.push({ bytes: e, position: `object ${objectNo} entry ${i}` }));
      else out.push({ bytes: v.whole!, position: `object ${objectNo}` });
    } else {
      out.push({ bytes: v.whole ?? Buffer.alloc(0), position: `after element ${elementNo}, object ${objectNo}`, error: v.error });
    }
  };
  scanner.push(head, onValue);
  yield out.splice(0);
  for await (const chunk of rest) {
    scanner.push(chunk, onValue);
    yield out.splice(0);
  }
  scanner.finish(onValue);
  yield out.splice(0);
}
