import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { openStore, type OpenedStore } from '../store/index.ts';
import { redactUrl } from '../store/postgres/connect.ts';

/** What every command needs from the outside world, injected so tests can run commands in-process. */
export interface CliContext {
  /** Open the store named by `--db`, `$GRIDWATCH_DB`, or `./gridwatch.db` (a SQLite path or a `postgres://` URL). */
  openStore(cmd: Command): Promise<OpenedStore>;
  /** Path of the config file in effect (`--config`, or `./gridwatch.yaml` when present), or null. */
  configPath(cmd: Command): string | null;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Where confirmations are read from (absent in contexts that can never ask). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** A user-facing failure: printed as `gridwatch: <message>` with the given exit status, no stack trace. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Resolve the database (a SQLite path or a `postgres://` URL) from the global options and environment. */
export function dbPath(cmd: Command, env: NodeJS.ProcessEnv): string {
  const o = cmd.optsWithGlobals() as { db?: string };
  return o.db ?? env.GRIDWATCH_DB ?? './gridwatch.db';
}

/**
 * The context for the real process.
 *
 * @example
 * const ctx = processContext(); const store = await ctx.openStore(cmd);
 */
export function processContext(): CliContext {
  const env = process.env;
  return {
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    async openStore(cmd) {
      const path = dbPath(cmd, env);
      try {
        return await openStore(path);
      } catch (e) {
        throw new CliError(`cannot open the database ${redactUrl(path)}: ${(e as Error).message} (use --db PATH|postgres://... or set GRIDWATCH_DB)`, 1, { cause: e });
      }
    },
    configPath(cmd) {
      const o = cmd.optsWithGlobals() as { config?: string };
      if (o.config) {
        if (!existsSync(o.config)) throw new CliError(`config file ${o.config} does not exist (check --config)`);
        return o.config;
      }
      return existsSync('./gridwatch.yaml') ? './gridwatch.yaml' : null;
    },
  };
}

/** Output format: explicit `--format`, else a table on a terminal and JSON lines otherwise. */
export function outputFormat(requested: string | undefined, stdout: { isTTY?: boolean }, allowed: string[]): string {
  const f = requested ?? (stdout.isTTY ? 'table' : 'json');
  if (!allowed.includes(f)) throw new CliError(`--format must be one of ${allowed.join(', ')} (got "${f}")`, 2);
  return f;
}
