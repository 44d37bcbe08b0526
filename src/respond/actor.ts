/**
 * Who a CLI action is recorded as: `cli:<os user>`, so the action log says which operator account ran it.
 */
import { userInfo } from 'node:os';

/**
 * The actor name of a command run from a shell.
 *
 * @example cliActor(process.env) // 'cli:alice'
 */
export function cliActor(env: NodeJS.ProcessEnv = process.env): string {
  let name = '';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the login environment.
  }
  return `cli:${name || env.USER || env.LOGNAME || env.USERNAME || 'unknown'}`;
}
