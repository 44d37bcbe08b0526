import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { register as collect } from './collect.ts';
import { register as demo } from './demo.ts';
import { register as events } from './events.ts';
import { register as ingest } from './ingest.ts';
import { register as sim } from './sim.ts';

/** Every command, one module each; the CLI stays a thin layer over the pipeline. */
export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of [collect, ingest, events, sim, demo]) register(program, ctx);
}
