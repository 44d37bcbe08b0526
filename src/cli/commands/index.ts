import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { register as collect } from './collect.ts';
import { register as demo } from './demo.ts';
import { register as events } from './events.ts';
import { register as ingest } from './ingest.ts';
import { register as actions } from './actions.ts';
import { register as allowlist } from './allowlist.ts';
import { register as alerts } from './alerts.ts';
import { register as detect } from './detect.ts';
import { register as incidents } from './incidents.ts';
import { register as rules } from './rules.ts';
import { register as migrate } from './migrate.ts';
import { register as prune } from './prune.ts';
import { register as run } from './run.ts';
import { register as respond } from './respond.ts';
import { register as serve } from './serve.ts';
import { register as sim } from './sim.ts';
import { register as users } from './users.ts';

/** Every command, one module each; the CLI stays a thin layer over the pipeline. */
export function registerCommands(program: Command, ctx: CliContext): void {
  for (const register of [collect, ingest, events, detect, alerts, incidents, rules, respond, allowlist, actions, serve, run, users, prune, migrate, sim, demo]) register(program, ctx);
}
