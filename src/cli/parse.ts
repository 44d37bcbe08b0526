import { InvalidArgumentError } from 'commander';
import { parseDuration, parseTime } from '../util/time.ts';

/** Commander argument parsers that turn bad input into a usage error naming what is accepted. */
export const cliTime = (v: string): number => wrap(() => parseTime(v));
export const cliDuration = (v: string): number => wrap(() => parseDuration(v));
export const cliList = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

export function cliInt(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer between ${min} and ${max}`);
    }
    return n;
  };
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
