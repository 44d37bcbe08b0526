import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = `${ROOT}bin/gridwatch`;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the real `bin/gridwatch` as a child process (no TTY), optionally feeding stdin.
 *
 * @example
 * const r = await runCli(['--db', db, 'events', '--format', 'json']);
 */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: Buffer | string; onSpawn?: (c: ChildProcess) => void } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    // Decode as a stream: a UTF-8 character split between two chunks must not become two replacement characters.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** What a child process printed so far, and a way to wait for what a test asserts. */
export interface ChildOutput {
  readonly stdout: string;
  readonly stderr: string;
  /**
   * Resolve with the match once the complete lines printed so far on `stream` (stdout by default) match `re`.
   * Output arrives in chunks of any size, so a test must wait for each line it asserts, not for a neighbour printed
   * just before it; only whole lines are matched, so a capture never ends mid-line. Rejects, with everything the
   * child printed, when the child's output ends first or after `timeoutMs`.
   */
  waitFor(re: RegExp, opts?: { stream?: 'stdout' | 'stderr'; timeoutMs?: number }): Promise<RegExpExecArray>;
}

/**
 * Collect a spawned child's stdout and stderr (both must be pipes) from now on.
 *
 * @example
 * const out = watchOutput(child);
 * const url = (await out.waitFor(/gridwatch UI: (\S+)\/\n/))[1];
 * await out.waitFor(/one-time password [\w-]{20}/);
 */
export function watchOutput(child: ChildProcess): ChildOutput {
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<(ended: boolean) => void>();
  const notify = (ended: boolean) => {
    for (const w of [...waiters]) w(ended);
  };
  child.stdout!.on('data', (d) => {
    text.stdout += d;
    notify(false);
  });
  child.stderr!.on('data', (d) => {
    text.stderr += d;
    notify(false);
  });
  let closed = false;
  // 'close' comes after both streams have ended, so nothing printed is missed when it fires.
  child.on('close', () => {
    closed = true;
    notify(true);
  });
  return {
    get stdout() {
      return text.stdout;
    },
    get stderr() {
      return text.stderr;
    },
    waitFor(re, { stream = 'stdout', timeoutMs = 30_000 } = {}) {
      return new Promise((resolve, reject) => {
        const printed = () => `\n--- stdout:\n${text.stdout}\n--- stderr:\n${text.stderr}`;
        const done = () => {
          waiters.delete(check);
          clearTimeout(timer);
        };
        const check = (ended: boolean) => {
          const all = text[stream];
          // Once the output has ended, an unterminated last line is complete too.
          const m = re.exec(ended ? all : all.slice(0, all.lastIndexOf('\n') + 1));
          if (m) {
            done();
            resolve(m);
          } else if (ended) {
            done();
            reject(new Error(`the child's output ended (exit ${child.exitCode ?? child.signalCode}) without ${re} on ${stream}${printed()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${re} on ${stream} within ${timeoutMs} ms${printed()}`));
        }, timeoutMs);
        waiters.add(check);
        check(closed);
      });
    },
  };
}
