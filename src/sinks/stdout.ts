/**
 * Stdout sink: one JSON line per alert to a stream (process.stdout by default), for containers whose log driver
 * collects standard output.
 */
import type { Writable } from 'node:stream';
import type { Sink } from './types.ts';

/**
 * Create a stdout sink writing to `stream`. Resolves once the stream accepted the line.
 *
 * @example
 * const sink = createStdoutSink({ type: 'stdout' }, process.stdout);
 */
export function createStdoutSink(cfg: { name?: string; min_severity?: Sink['minSeverity'] }, stream: Writable): Sink {
  const name = cfg.name ?? 'stdout';
  return {
    name,
    type: 'stdout',
    minSeverity: cfg.min_severity,
    describe: () => `stdout ${name}`,
    send(alert) {
      const line = `${JSON.stringify(alert)}\n`;
      return new Promise<void>((resolve, reject) => {
        stream.write(line, (err) => (err ? reject(err) : resolve()));
      });
    },
  };
}
