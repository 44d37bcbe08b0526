import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirs } from './testing-tmp.ts';

describe('tempDirs', () => {
  const made: string[] = [];
  describe('a suite that makes directories', () => {
    const tmp = tempDirs();
    it('makes fresh directories under the system temp directory', () => {
      made.push(tmp.make('gw-tmptest-'), tmp.make('gw-tmptest-'));
      writeFileSync(join(made[0], 'f.db'), 'x');
      expect(made[0]).not.toBe(made[1]);
      for (const d of made) {
        expect(d.startsWith(join(tmpdir(), 'gw-tmptest-'))).toBe(true);
        expect(existsSync(d)).toBe(true);
      }
    });
  });

  it('removes them, contents included, once that suite has finished', () => {
    expect(made).toHaveLength(2);
    for (const d of made) expect(existsSync(d)).toBe(false);
  });
});
