import { isUtf8 } from 'node:buffer';
import { isJsonWs as isWs, JsonLexer, objectArraySpans } from '../util/json-spans.ts';

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
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const COMMA = 0x2c;

const hasBom = (buf: Buffer): boolean => buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;

function firstNonWs(buf: Buffer): number {
  let i = hasBom(buf) ? 3 : 0;
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
  const line = head.toString('latin1', start, nl);
  const lex = new JsonLexer();
  let depth = 0;
  for (let i = lex.next(line, 0); i >= 0; i = lex.next(line, i + 1)) {
    const c = line.charCodeAt(i);
    if (c === OPEN_OBJ || c === OPEN_ARR) depth++;
    else if (c !== COMMA) depth--;
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
  return isWrapper(parsed) ? entrySpans(bytes) : null;
}

/** The exact bytes of each `entries` element of a saved response already known (parsed) to be one. */
function entrySpans(bytes: Buffer): Buffer[] {
  // A latin1 view has one char per byte, so the shared scanner's offsets are byte offsets.
  return (objectArraySpans(bytes.toString('latin1'), 'entries') ?? []).map(([a, b]) => Buffer.from(bytes.subarray(a, b)));
}

function isWrapper(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return Array.isArray(o.entries) && !(typeof o.id === 'string' && typeof o.action === 'string');
}

interface TopValue {
  /** The top-level object's bytes, an array element's bytes, or the bytes of what broke. */
  bytes: Buffer;
  kind: 'element' | 'object' | 'other';
  /** Set when the structure was broken; `bytes` then holds the bytes up to the break. */
  error?: string;
}

/**
 * Streams top-level JSON values out of byte chunks with the shared lexer (`util/json-spans.ts`). Arrays are emitted
 * element by element (so a huge array never sits in memory); objects are emitted whole. Tolerant by design: it only
 * counts brackets, and whatever it cuts out is validated (and quarantined if bad) downstream.
 */
class DocumentScanner {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0; // next byte to scan in buf
  private readonly lex = new JsonLexer();
  private depth = 0;
  private kind: 'array' | 'object' | null = null;
  private valueStart = -1; // top-level object start in buf
  private elemFrom = -1; // just after the top-level array's '[' or last ',' in buf

  push(chunk: Buffer, emit: (v: TopValue) => void): void {
    // After each scan `buf` starts at the earliest byte still needed, so appending is all there is to do.
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.scan(emit);
  }

  private scan(emit: (v: TopValue) => void): void {
    const b = this.buf;
    const base = this.pos;
    // Only the new bytes are viewed (and scanned): the lexer carries an open string across chunks.
    const s = b.toString('latin1', base);
    for (let k = 0; k < s.length; ) {
      if (this.depth === 0) {
        const c = s.charCodeAt(k);
        if (isWs(c)) k++;
        else if (c === OPEN_ARR) {
          this.kind = 'array';
          this.depth = 1;
          this.elemFrom = base + ++k;
        } else if (c === OPEN_OBJ) {
          this.kind = 'object';
          this.depth = 1;
          this.valueStart = base + k++;
        } else {
          // Garbage between values: report the rest of its line and resume on the next line.
          const nl = s.indexOf('\n', k);
          const end = nl < 0 ? s.length : nl;
          emit({ bytes: Buffer.from(b.subarray(base + k, base + end)), kind: 'other', error: 'not a JSON object or array' });
          k = end;
        }
        continue;
      }
      const t = this.lex.next(s, k);
      if (t < 0) break;
      k = t + 1;
      const c = s.charCodeAt(t);
      if (c === OPEN_OBJ || c === OPEN_ARR) {
        this.depth++;
        continue;
      }
      if (this.depth === 1 && this.kind === 'array') {
        // A ',' or a closer ends the element; a '}' closing the array is broken structure, so even an empty
        // element before it is passed on (to be quarantined).
        const elem = trim(b.subarray(this.elemFrom, base + t));
        if (elem.length || c === CLOSE_OBJ) emit({ bytes: Buffer.from(elem), kind: 'element' });
        this.elemFrom = base + k;
      }
      if (c !== COMMA && --this.depth === 0) {
        if (this.kind === 'object') emit({ bytes: Buffer.from(b.subarray(this.valueStart, base + k)), kind: 'object' });
        this.resetValue();
      }
    }
    this.pos = b.length;
    // Keep only from the open object or element on.
    let keep = this.pos;
    if (this.valueStart >= 0 && this.valueStart < keep) keep = this.valueStart;
    if (this.elemFrom >= 0 && this.elemFrom < keep) keep = this.elemFrom;
    if (keep > 0) {
      this.buf = b.subarray(keep);
      this.pos -= keep;
      if (this.valueStart >= 0) this.valueStart -= keep;
      if (this.elemFrom >= 0) this.elemFrom -= keep;
    }
  }

  private resetValue(): void {
    this.kind = null;
    this.valueStart = -1;
    this.elemFrom = -1;
  }

  /** End of input: anything still open is a truncated value. */
  finish(emit: (v: TopValue) => void): void {
    if (this.depth === 0) return;
    let from = this.kind === 'array' ? this.elemFrom : this.valueStart;
    while (this.kind === 'array' && from < this.buf.length && isWs(this.buf[from]!)) from++;
    if (from < this.buf.length) {
      emit({ bytes: Buffer.from(this.buf.subarray(from)), kind: 'other', error: 'truncated JSON at end of input' });
    } else if (this.kind === 'array') {
      emit({ bytes: Buffer.alloc(0), kind: 'other', error: 'truncated JSON array at end of input (missing "]")' });
    }
    this.depth = 0;
    this.lex.reset();
    this.resetValue();
  }
}

function trim(b: Buffer): Buffer {
  let s = 0;
  let e = b.length;
  while (s < e && isWs(b[s]!)) s++;
  while (e > s && isWs(b[e - 1]!)) e--;
  return b.subarray(s, e);
}

/** A JSON array or pretty-printed objects: the streaming scanner. */
async function* splitDocument(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Candidate[]> {
  // The scanner reads bytes, not text: a leading BOM would be quarantined as junk before the document and the array
  // read as loose objects after it. `head` holds the first line (or 64 KiB), so all three bytes are in it.
  if (hasBom(head)) head = head.subarray(3);
  const scanner = new DocumentScanner();
  let elementNo = 0;
  let objectNo = 0;
  const out: Candidate[] = [];
  const onValue = (v: TopValue) => {
    if (v.kind === 'element') {
      out.push({ bytes: v.bytes, position: `element ${elementNo++}` });
    } else if (v.kind === 'object') {
      objectNo++;
      let wrapper = false;
      if (v.bytes.includes('"entries"')) {
        try {
          wrapper = isWrapper(JSON.parse(v.bytes.toString('utf8')));
        } catch {
          wrapper = false; // not valid JSON: quarantined as a whole below
        }
      }
      if (wrapper) entrySpans(v.bytes).forEach((e, i) => out.push({ bytes: e, position: `object ${objectNo} entry ${i}` }));
      else out.push({ bytes: v.bytes, position: `object ${objectNo}` });
    } else {
      out.push({ bytes: v.bytes, position: `after element ${elementNo}, object ${objectNo}`, error: v.error });
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
