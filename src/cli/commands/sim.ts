import type { Command } from 'commander';
import { describeSimulator, SIM_FLAGS, SimCliError, simOptionsFromCli, startSimulator } from '../../sim/index.ts';
import { CliError, type CliContext } from '../context.ts';

const HELP: Record<(typeof SIM_FLAGS)[number], string> = {
  port: 'port on 127.0.0.1 (default: a free port)',
  seed: 'organisation seed (default 42)',
  days: 'days of history (default 8)',
  users: 'number of users (default 300)',
  'error-rate': 'fraction of /logs calls answered with a 5xx',
  'slow-rate': 'fraction of calls answered slowly',
  'slow-ms': 'delay of a slow answer in ms (default 2000)',
  'truncate-rate': 'fraction of bodies cut short',
  'duplicate-rate': 'fraction of pages that re-send an event already served',
  'cursor-expiry': 'cursor lifetime in seconds (default: never expire)',
  'cursor-invalid-rate': 'fraction of cursors forgotten (invalid_cursor)',
  'late-fraction': 'fraction of events that arrive late',
  'late-delay': 'how late, in seconds (default 1800)',
  'late-release-after': 'release every late event after this many seconds',
  'rate-limit': 'org-wide calls per minute (default 50, 0 = off)',
  'rate-burst': 'token bucket: at most this many calls back to back, then evenly spaced (default: a sliding window)',
};

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('sim')
    .description('run the Slack API simulator (Audit Logs API with faults) on loopback until interrupted');
  for (const flag of SIM_FLAGS) cmd.option(`--${flag} <value>`, HELP[flag]);
  cmd.action(async (flags: Record<string, string>) => {
    let opts;
    try {
      opts = simOptionsFromCli(flags);
    } catch (e) {
      if (e instanceof SimCliError) throw new CliError(e.message, 2);
      throw e;
    }
    const sim = await startSimulator(opts);
    ctx.stdout.write(describeSimulator(sim).join('\n') + '\n');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await sim.close();
  });
}
