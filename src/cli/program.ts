import { Command, CommanderError } from 'commander';
import { isPostgresUrl, redactUrl } from '../store/postgres/connect.ts';
import { pgUnreachable } from '../store/postgres/unreachable.ts';
import { CliError, dbPath, type CliContext } from './context.ts';
import { registerCommands } from './commands/index.ts';

/**
 * Build the `gridwatch` command tree for a context.
 *
 * @example
 * await buildProgram(processContext()).parseAsync(process.argv);
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('gridwatch')
    .description('Collect, investigate, detect and respond on Slack Enterprise Grid audit logs and anomaly events')
    .option('--db <path>', 'SQLite database file or postgres:// URL (default: $GRIDWATCH_DB, else ./gridwatch.db)')
    .option('--config <file>', 'YAML config file (default: ./gridwatch.yaml if present)')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .exitOverride();
  registerCommands(program, ctx);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/**
 * Run the CLI and return the process exit status. Errors become one clear line on stderr, never a stack trace.
 *
 * @example
 * process.exitCode = await runCli(processContext(), process.argv);
 */
export async function runCli(ctx: CliContext, argv: string[]): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    const db = dbPath(program, ctx.env);
    const unreachable = isPostgresUrl(db) ? pgUnreachable(e, db) : null;
    if (unreachable) {
      // Whatever the command was doing: what it committed stays, and running it again carries on from there.
      ctx.stderr.write(`gridwatch: the PostgreSQL database ${redactUrl(db)} is unreachable (${unreachable}); run the command again once it is back\n`);
      return 1;
    }
    if (e instanceof CliError) {
      ctx.stderr.write(`gridwatch: ${e.message}\n`);
      return e.exitCode;
    }
    ctx.stderr.write(`gridwatch: ${(e as Error)?.message ?? String(e)}\n`);
    if (ctx.env.GRIDWATCH_DEBUG) ctx.stderr.write(`${(e as Error)?.stack}\n`);
    return 1;
  }
}
