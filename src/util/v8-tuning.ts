/**
 * V8 tuning for gridwatch's batch work: imported first by the CLI (`src/cli/main.ts`) and the benchmarks, so it
 * applies to every thread of the process (V8 flags are process-wide, worker threads included).
 *
 * Why: V8 optimises a function with TurboFan once about 66 KB of its bytecode has run. A replay calls the alert-building
 * code (context, titles, the alert diff) some ten thousand times: enough to trigger TurboFan compiles of these large
 * functions, and recompiles after each deoptimisation, on compiler threads that compete with the scan worker and the
 * main thread for this machine's two cores. Measured over a 1M-event replay: 1.3–1.8 s of compiler-thread CPU,
 * more than the optimised code saves. With a budget 22 times larger, code called a million times (the per-event
 * paths) is still optimised early while code called ten thousand times mostly stays in the baseline tiers: compiler
 * threads 0.4–0.5 s, replay 15–20% faster (`npm run bench`). Long-running processes (the server, `collect --follow`)
 * lose nothing measurable: hot code is optimised a little later, once.
 *
 * `setFlagsFromString` rather than a command-line flag: it also reaches `node bin/gridwatch`, `npm start` and the
 * bench, which a shebang flag does not; an unknown flag on another Node version is ignored, not fatal.
 */
import v8 from 'node:v8';

/** Bytecode budget before V8 considers optimising a function (default 67,584 on Node 20). */
export const INTERRUPT_BUDGET = 1_500_000;

v8.setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
