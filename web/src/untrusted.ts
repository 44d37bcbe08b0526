// Showing text that comes from the audit log (file and user names, user agents, IPs...) as what it is. Anyone in
// the Slack organisation chooses a file name: a U+202E RIGHT-TO-LEFT OVERRIDE turns "invoice\u202Exslx.exe" into
// "invoiceexe.xlsx" on screen, zero-width characters make two different names look alike. So invisible and control
// characters are shown as visible escapes (`\u202E`), and only real addresses are shown (and linked) as IPs.
// Pure functions: the React side is components/SafeText.tsx.

/**
 * Characters that are invisible or change how their neighbours are shown: controls (Cc), format characters (Cf:
 * bidirectional marks, overrides and isolates, zero-width spaces and joiners, BOM, tags), line and paragraph
 * separators (Zl, Zp), and letters drawn as blanks (Hangul fillers, the combining grapheme joiner, Khmer vowels).
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u034F\u115F\u1160\u17B4\u17B5\u3164\uFFA0]/gu;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** Names of the hidden characters met in spoofing, for the badge's tooltip. */
const NAMES: Record<number, string> = {
  0x00ad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
};

/** One hidden character found in a text: its visible escape and what it is. */
export interface Hidden {
  /** `\u202E` (or `\u{E0041}` beyond the BMP): what is shown in its place. */
  escape: string;
  /** `U+202E RIGHT-TO-LEFT OVERRIDE`. */
  name: string;
}

function describe(ch: string): Hidden {
  const cp = ch.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return { escape: cp > 0xffff ? `\\u{${hex}}` : `\\u${hex}`, name: `U+${hex} ${NAMES[cp] ?? (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ? 'CONTROL CHARACTER' : 'INVISIBLE CHARACTER')}` };
}

/** A zero-width joiner between two pictographs builds one emoji (👩‍💻): that one is what it seems. */
function isEmojiJoiner(text: string, index: number, ch: string): boolean {
  if (ch !== '\u200D') return false;
  const before = Array.from(text.slice(Math.max(0, index - 2), index)).pop() ?? '';
  const after = String.fromCodePoint(text.codePointAt(index + 1) ?? 0x20);
  // An emoji often carries a variation selector (U+FE0F) before the joiner: look past it.
  const base = before === '\uFE0F' ? (Array.from(text.slice(Math.max(0, index - 3), index - 1)).pop() ?? '') : before;
  return PICTOGRAPH.test(base) && PICTOGRAPH.test(after);
}

/**
 * Split a text into its visible runs and the hidden characters between them.
 *
 * @example splitHidden('invoice\u202Exslx.exe') // ['invoice', { escape: '\\u202E', name: 'U+202E RIGHT-TO-LEFT OVERRIDE' }, 'xslx.exe']
 */
export function splitHidden(text: string): Array<string | Hidden> {
  const out: Array<string | Hidden> = [];
  let last = 0;
  for (const m of text.matchAll(HIDDEN)) {
    if (isEmojiJoiner(text, m.index, m[0])) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(describe(m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * Does a text hold any hidden character?
 *
 * @example hasHidden('report\u200B.pdf') // true
 */
export function hasHidden(text: string | null | undefined): boolean {
  return !!text && splitHidden(text).some((p) => typeof p !== 'string');
}

/**
 * The text with each hidden character replaced by its escape: for places that take plain strings only (tooltips,
 * `<option>`, accessible names).
 *
 * @example visibleText('invoice\u202Exslx.exe') // 'invoice\\u202Exslx.exe'
 */
export function visibleText(text: string | null | undefined): string {
  if (!text) return text ?? '';
  return splitHidden(text)
    .map((p) => (typeof p === 'string' ? p : p.escape))
    .join('');
}

/**
 * Does any string in a JSON value (keys included) hold a hidden character? For flagging a whole event.
 *
 * @example hiddenInValue(JSON.parse(raw)) // true when some field of the event holds one
 */
export function hiddenInValue(v: unknown): boolean {
  if (typeof v === 'string') return hasHidden(v);
  if (Array.isArray(v)) return v.some(hiddenInValue);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => hasHidden(k) || hiddenInValue(x));
  return false;
}

/**
 * Does the raw JSON text of an event hold a hidden character in any string (escaped as `\u202e` or not)?
 *
 * @example hiddenInRaw('{"name":"a\\u202eb"}') // true
 */
export function hiddenInRaw(raw: string): boolean {
  try {
    return hiddenInValue(JSON.parse(raw));
  } catch {
    return hasHidden(raw);
  }
}

const V4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const V4 = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
const HEXGROUP = /^[0-9A-Fa-f]{1,4}$/;

function isIpv6(s: string): boolean {
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const parts = halves.flatMap(groups);
  // An embedded IPv4 address (`::ffff:192.0.2.1`) may end it, in place of two groups.
  const tail = parts[parts.length - 1];
  const v4 = tail !== undefined && tail.includes('.');
  if (v4 && !V4.test(tail)) return false;
  const hex = v4 ? parts.slice(0, -1) : parts;
  if (!hex.every((g) => HEXGROUP.test(g))) return false;
  const n = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? n <= 7 : n === 8;
}

/**
 * Is this an IPv4 (dotted quad, no leading zeros) or IPv6 address, and nothing else? Only those are shown as IPs.
 *
 * @example isIpAddress('203.0.113.77') // true
 * @example isIpAddress('<img src=x>') // false
 */
export function isIpAddress(s: string | null | undefined): boolean {
  if (!s || s.length > 45) return false;
  return V4.test(s) || (s.includes(':') && isIpv6(s));
}

/**
 * Does an event as listed hold a hidden character in a field shown for it?
 *
 * @example eventHasHidden(event) // true for a file named "invoice\u202Exslx.exe"
 */
export function eventHasHidden(e: {
  action: string;
  actor: { id: string | null; name: string | null; email: string | null };
  entity: { type: string | null; id: string | null; name: string | null };
  ip: string | null;
  ua: string | null;
  session_id: string | null;
}): boolean {
  return [e.action, e.actor.id, e.actor.name, e.actor.email, e.entity.type, e.entity.id, e.entity.name, e.ip, e.ua, e.session_id].some(hasHidden);
}
