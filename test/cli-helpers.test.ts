/** The helper that waits for a child's output: chunks arrive at any time, only whole lines count. */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { watchOutput } from './cli-helpers.ts';

/** A child that writes `parts` to stdout, 150 ms apart, then exits. */
function printer(parts: string[]) {
  const script = `const p = ${JSON.stringify(parts)}; p.forEach((s, i) => setTimeout(() => process.stdout.write(s), i * 150));`;
  return spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

it('waits for a line that comes in a later chunk, and never matches half a line', async () => {
  const out = watchOutput(printer(['gridwatch UI: http://x/\n', 'log in with the password ab', 'cd-ef\n']));
  expect((await out.waitFor(/gridwatch UI: (\S+)\n/))[1]).toBe('http://x/');
  // The password line is written in two pieces: the capture is the whole word, not the first piece.
  expect((await out.waitFor(/password (\S+)/))[1]).toBe('abcd-ef');
});

it('rejects with what was printed when the output ends without a match', async () => {
  const out = watchOutput(printer(['one\n', 'two']));
  await expect(out.waitFor(/three/)).rejects.toThrow(/without \/three\/ on stdout[\s\S]*one\ntwo/);
  expect(out.stdout).toBe('one\ntwo');
});

it('rejects after the timeout while the child is still silent', async () => {
  const child = printer(['late\n', '', '', '', '', '', '', '', '', '', '', '', '', 'end\n']);
  const out = watchOutput(child);
  await out.waitFor(/late/);
  await expect(out.waitFor(/end/, { timeoutMs: 300 })).rejects.toThrow(/no \/end\/ on stdout within 300 ms[\s\S]*late/);
  child.kill();
});
