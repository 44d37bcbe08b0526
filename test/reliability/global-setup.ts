/**
 * Global setup of `npm run test:reliability`: a file the test files append their figures to, and at the end the
 * summary table of every figure (printed even when a test failed, so the figures that were measured are seen).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { summaryTable, type Figure } from './summary.ts';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gw-reliability-'));
  const file = join(dir, 'figures.jsonl');
  writeFileSync(file, '');
  project.provide('reliabilityFiguresFile', file);
  return () => {
    const figures = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figure);
    rmSync(dir, { recursive: true, force: true });
    console.log(`\nReliability figures (${figures.length}):\n${summaryTable(figures)}\n`);
  };
}
