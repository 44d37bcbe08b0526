/**
 * The suite's figures: each is printed when measured, and appended (one JSON line) to the file the global setup
 * provides, so the summary table at the end gathers the figures of every test file (each runs in its own process).
 */
import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { Figure } from './summary.ts';

export type { Figure };

declare module 'vitest' {
  export interface ProvidedContext {
    reliabilityFiguresFile: string;
  }
}

/**
 * Print a figure now and keep it for the summary table.
 *
 * @example
 * figure({ area: 'load', backend: 'sqlite', name: 'p99', value: 12, unit: 'ms' });
 */
export function figure(f: Figure): void {
  console.log(`[reliability] ${f.area} (${f.backend}): ${f.name} = ${f.value}${f.unit ? ` ${f.unit}` : ''}`);
  appendFileSync(inject('reliabilityFiguresFile'), JSON.stringify(f) + '\n');
}

/**
 * Print why something was not run, and list it in the summary table.
 *
 * @example
 * skipped('store faults', 'sqlite', 'read-only file', 'chattr is not available');
 */
export function skipped(area: string, backend: string, name: string, reason: string): void {
  figure({ area, backend, name, value: `skipped: ${reason}` });
}
