/**
 * The confirmation rule shared by every destructive command: `--yes` goes ahead; otherwise a terminal is asked
 * (y/N, anything but y/yes declines); without a terminal nothing is asked and the action is refused, so a script
 * can never act by accident.
 */
import { createInterface } from 'node:readline/promises';

export type Confirmation = { go: true } | { go: false; why: string };

export interface ConfirmIo {
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the question is written (stderr, so stdout stays the command's output). */
  prompt: NodeJS.WritableStream;
}

/**
 * @example
 * const c = await confirmOrRefuse(o.yes, { stdin: process.stdin, prompt: process.stderr }, 'Sign W1 out? [y/N] ');
 * if (!c.go) throw new CliError(c.why);
 */
export async function confirmOrRefuse(yes: boolean | undefined, io: ConfirmIo, question: string): Promise<Confirmation> {
  if (yes) return { go: true };
  if (!io.stdin?.isTTY) {
    return { go: false, why: 'refused: not confirmed and there is no terminal to ask on; run it again with --yes to act (or --dry-run to see the calls)' };
  }
  const rl = createInterface({ input: io.stdin, output: io.prompt });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes' ? { go: true } : { go: false, why: 'refused: not confirmed (answer y to act)' };
  } finally {
    rl.close();
  }
}
