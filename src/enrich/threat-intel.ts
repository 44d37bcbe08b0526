/**
 * A threat-intelligence list of IPs and CIDRs kept in a plain text file that analysts (or a cron job) edit while
 * gridwatch runs.
 *
 * File format: one address or CIDR per line; `#` starts a comment (whole line or trailing); `;` also starts a trailing
 * comment, as in Spamhaus DROP-style feeds; blank lines are ignored. A bad line is reported and skipped, never fatal:
 * one typo must not blind the whole list.
 *
 * Reloading: `has()` is on the per-event path, so instead of a watcher (fs.watch is unreliable on network and
 * container file systems, and leaves a handle to close) the file is `stat`ed at most once per `checkIntervalMs`
 * (default 5 s) during lookups, and re-read when its mtime, size or inode changed. Editors that replace the file
 * (new inode) and `>>` appends are both caught. If the file disappears or becomes unreadable, the last good list
 * stays in force and `lastError` says why.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { cidrsFromRanges, matchCidr, parseCidr, type CidrRange, type ParsedCidrs } from './ip.ts';

export interface ThreatIntelProblem {
  line: number;
  text: string;
  reason: string;
}

export interface ThreatIntelOptions {
  /** Minimum time between two checks of the file, ms (default 5000; 0 = check on every lookup). */
  checkIntervalMs?: number;
  /** Injected clock (ms) so tests control when the file is checked again. */
  clock?: () => number;
  /** Called with the problems of every (re)load that had some, and on a failed reload. */
  onProblems?: (problems: ThreatIntelProblem[], path: string) => void;
}

/** What a file's text parses to. */
export interface ParsedThreatIntel {
  ranges: CidrRange[];
  problems: ThreatIntelProblem[];
}

/**
 * Parse the text of a threat-intel file (see the module comment for the format).
 *
 * @example
 * parseThreatIntelText('# tor exits\n198.51.100.7\n203.0.113.0/24 ; feed X\nbad\n')
 * // { ranges: [2 ranges], problems: [{ line: 4, text: 'bad', reason: 'not a valid IPv4 or IPv6 address: "bad"' }] }
 */
export function parseThreatIntelText(text: string): ParsedThreatIntel {
  const ranges: CidrRange[] = [];
  const problems: ThreatIntelProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (i === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    const hash = line.search(/[#;]/);
    const body = (hash === -1 ? line : line.slice(0, hash)).trim();
    if (body === '') continue;
    if (/\s/.test(body)) {
      problems.push({ line: i + 1, text: body.slice(0, 100), reason: 'more than one value on the line (use one address or CIDR per line)' });
      continue;
    }
    const r = parseCidr(body);
    if (r.ok) ranges.push(r.range);
    else problems.push({ line: i + 1, text: body.slice(0, 100), reason: r.reason });
  }
  return { ranges, problems };
}

/** A file-backed, self-reloading IP/CIDR list. */
export class ThreatIntelList {
  readonly path: string;
  private readonly interval: number;
  private readonly clock: () => number;
  private readonly onProblems?: ThreatIntelOptions['onProblems'];
  private cidrs: ParsedCidrs = cidrsFromRanges([]);
  private fileId = '';
  private lastCheck = 0;
  private _problems: ThreatIntelProblem[] = [];
  private _lastError: string | null = null;
  private _loadedAt = 0;

  /**
   * Open and load the list. Throws if the file cannot be read at start-up (a configured list that is missing is a
   * configuration error); later read failures only keep the previous list.
   *
   * @example
   * const intel = new ThreatIntelList('/etc/gridwatch/bad-ips.txt', { checkIntervalMs: 10_000 });
   * intel.has('203.0.113.9') // { listed: true, entry: '203.0.113.0/24' }
   */
  constructor(path: string, opts: ThreatIntelOptions = {}) {
    this.path = path;
    this.interval = opts.checkIntervalMs ?? 5000;
    this.clock = opts.clock ?? Date.now;
    this.onProblems = opts.onProblems;
    const st = this.statOrThrow();
    this.load(st);
  }

  private statOrThrow(): Stats {
    try {
      return statSync(this.path);
    } catch (e) {
      throw new Error(`threat intel list ${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private static idOf(st: Stats): string {
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  }

  private load(st: Stats): void {
    const text = readFileSync(this.path, 'utf8');
    const parsed = parseThreatIntelText(text);
    this.cidrs = cidrsFromRanges(parsed.ranges);
    this._problems = parsed.problems;
    this.fileId = ThreatIntelList.idOf(st);
    this._loadedAt = this.clock();
    this.lastCheck = this._loadedAt;
    this._lastError = null;
    if (parsed.problems.length > 0) this.onProblems?.(parsed.problems, this.path);
  }

  /**
   * Check the file now and reload it if it changed. Returns true when a new version was loaded.
   *
   * @example
   * if (intel.reload()) console.log(`${intel.size} entries`);
   */
  reload(force = false): boolean {
    this.lastCheck = this.clock();
    try {
      const st = statSync(this.path);
      if (!force && ThreatIntelList.idOf(st) === this.fileId) return false;
      this.load(st);
      return true;
    } catch (e) {
      this._lastError = `${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (keeping the previous list)`;
      this.onProblems?.([{ line: 0, text: '', reason: this._lastError }], this.path);
      return false;
    }
  }

  /**
   * Is `ip` on the list? Reloads the file first if it is due for a check and changed.
   *
   * @example
   * const hit = intel.has(event.ip);
   * if (hit.listed) alert(`IP on threat list (${hit.entry})`);
   */
  has(ip: string | null | undefined): { listed: boolean; entry?: string } {
    if (this.clock() - this.lastCheck >= this.interval) this.reload();
    const entry = matchCidr(ip, this.cidrs);
    return entry === null ? { listed: false } : { listed: true, entry };
  }

  /** Number of valid entries loaded. */
  get size(): number {
    return this.cidrs.entries.length;
  }

  /** Bad lines of the version currently loaded. */
  get problems(): readonly ThreatIntelProblem[] {
    return this._problems;
  }

  /** Why the last reload failed (null after a successful load). */
  get lastError(): string | null {
    return this._lastError;
  }

  /** Clock time of the last successful load. */
  get loadedAt(): number {
    return this._loadedAt;
  }
}
